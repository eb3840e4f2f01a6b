import type { Logger } from "pino";
import { PreviewGateway } from "@/server/preview/preview-gateway";
import type { PreviewSettings } from "@/server/preview/preview-settings";
import { portConnector } from "@/server/preview/port-connector";
import { setPreviewGateway } from "@/server/process/preview-runtime";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { authorizePreview, redeemPreviewHandoff } from "@/server/services/processes/preview-access";

// Start-up wiring: the gateway needs the services that authorize a preview, and services read the
// gateway from server/process, so the wiring lives here and server/process imports no service.

/** Creates the gateway whose upstream connections are this engine's forwarded ports, and publishes it. */
export function startPreviewGateway(settings: PreviewSettings, engine: Pick<SandboxEngine, "connectPort">, logger: Logger): PreviewGateway {
  const gateway = new PreviewGateway(
    settings,
    { authorize: authorizePreview, redeem: redeemPreviewHandoff, connect: portConnector(engine, settings) },
    logger.child({ component: "preview" }),
  );
  setPreviewGateway(gateway);
  return gateway;
}
