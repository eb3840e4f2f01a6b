import type { Logger } from "pino";
import { getEnv } from "@/lib/env";
import { PreviewGateway } from "@/server/preview/preview-gateway";
import { previewSettings, type PreviewSettings } from "@/server/preview/preview-settings";
import { portConnector } from "@/server/preview/port-connector";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { authorizePreview, redeemPreviewHandoff } from "@/server/services/processes/preview-access";

// The preview listeners belong to the one long-lived process, like the engine: kept on
// globalThis so Next's route bundles (which may load modules twice) open them on the same gateway.
const holder = globalThis as typeof globalThis & { __pantheonPreviews?: PreviewGateway };

export function getPreviewGateway(): PreviewGateway | undefined {
  return holder.__pantheonPreviews;
}

/** The gateway's settings, or the environment's when no gateway runs here (validation still applies). */
export function currentPreviewSettings(): PreviewSettings {
  return holder.__pantheonPreviews?.settings ?? previewSettings(getEnv(), process.env.NEXTAUTH_URL ?? `http://localhost:${getEnv().PORT}`);
}

/** Creates the gateway whose upstream connections are this engine's forwarded ports, and publishes it. */
export function startPreviewGateway(settings: PreviewSettings, engine: Pick<SandboxEngine, "connectPort">, logger: Logger): PreviewGateway {
  const gateway = new PreviewGateway(
    settings,
    { authorize: authorizePreview, redeem: redeemPreviewHandoff, connect: portConnector(engine, settings) },
    logger.child({ component: "preview" }),
  );
  holder.__pantheonPreviews = gateway;
  return gateway;
}

export async function stopPreviewGateway(): Promise<void> {
  const gateway = holder.__pantheonPreviews;
  holder.__pantheonPreviews = undefined;
  await gateway?.stop();
}
