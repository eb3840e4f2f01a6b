import type { Logger } from "pino";
import { PreviewGateway, type RemotePreviews } from "@/server/preview/preview-gateway";
import type { PreviewSettings } from "@/server/preview/preview-settings";
import { portConnector } from "@/server/preview/port-connector";
import { setPreviewGateway } from "@/server/process/preview-runtime";
import { processRepository } from "@/server/repositories/process-repository";
import { z } from "zod";
import { IMAGE_KINDS } from "@/server/sandbox/config";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { connectThroughPeer } from "@/server/services/cluster/port-tunnel";
import { authorizePreview, redeemPreviewHandoff } from "@/server/services/processes/preview-access";
import { currentServerInstance } from "@/server/services/records/server-instance";

// Start-up wiring: the gateway needs the services that authorize a preview, and services read the
// gateway from server/process, so the wiring lives here and server/process imports no service.

/** Domain mode: a slot whose running process another instance holds is served here through that instance. */
export const remotePreviews: RemotePreviews = {
  async find(slot) {
    const row = await processRepository.runningWithSlot(slot);
    const image = z.enum(IMAGE_KINDS).safeParse(row?.image);
    if (!row || row.port === null || !row.instanceId || row.instanceId === currentServerInstance()?.id || !image.success) return null;
    const heldBy = row.instanceId;
    return {
      target: { processId: row.id, projectId: row.projectId, port: row.port, image: image.data },
      heldBy,
      connect: (target) => connectThroughPeer(heldBy, target),
    };
  },
};

/** Creates the gateway whose upstream connections are this engine's forwarded ports, and publishes it. */
export function startPreviewGateway(settings: PreviewSettings, engine: Pick<SandboxEngine, "connectPort">, logger: Logger): PreviewGateway {
  const gateway = new PreviewGateway(
    settings,
    { authorize: authorizePreview, redeem: redeemPreviewHandoff, connect: portConnector(engine, settings) },
    logger.child({ component: "preview" }),
    settings.domain ? remotePreviews : null,
  );
  setPreviewGateway(gateway);
  // A failure is logged; the next preview opened here tries to bind again.
  gateway.listen().catch((err: unknown) => logger.error({ err }, "the preview domain listener could not open"));
  return gateway;
}
