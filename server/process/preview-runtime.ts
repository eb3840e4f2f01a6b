import { getEnv, liveEnv } from "@/lib/env";
import type { PreviewGateway } from "@/server/preview/preview-gateway";
import { previewSettings, type PreviewSettings } from "@/server/preview/preview-settings";

// The preview listeners belong to the one long-lived process, like the engine: kept on
// globalThis so Next's route bundles (which may load modules twice) open them on the same gateway.
const holder = globalThis as typeof globalThis & { __pantheonPreviews?: PreviewGateway };

export function getPreviewGateway(): PreviewGateway | undefined {
  return holder.__pantheonPreviews;
}

/** The gateway's settings, or the environment's when no gateway runs here (validation still applies). */
export function currentPreviewSettings(): PreviewSettings {
  return holder.__pantheonPreviews?.settings ?? previewSettings(getEnv(), liveEnv("NEXTAUTH_URL") ?? `http://localhost:${getEnv().PORT}`);
}

/** Publishes the gateway server/startup/preview-gateway.ts created (one per process). */
export function setPreviewGateway(gateway: PreviewGateway): void {
  holder.__pantheonPreviews = gateway;
}

export async function stopPreviewGateway(): Promise<void> {
  const gateway = holder.__pantheonPreviews;
  holder.__pantheonPreviews = undefined;
  await gateway?.stop();
}
