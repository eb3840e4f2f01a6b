import { getEnv } from "@/lib/env";
import type { PreviewGateway } from "@/server/preview/preview-gateway";
import { previewSettings, type PreviewSettings } from "@/server/preview/preview-settings";
import { getAppRuntime } from "./app-runtime";
import { publicUrl } from "./startup-settings";

// The preview listeners belong to the one long-lived process, like the engine: kept in the process
// registry so Next's route bundles (which may load modules twice) open them on the same gateway.

export function getPreviewGateway(): PreviewGateway | undefined {
  return getAppRuntime().previewGateway;
}

/** The gateway's settings, or the environment's when no gateway runs here (validation still applies). */
export function currentPreviewSettings(): PreviewSettings {
  return getAppRuntime().previewGateway?.settings ?? previewSettings(getEnv(), publicUrl() ?? `http://localhost:${getEnv().PORT}`);
}

/** Publishes the gateway server/startup/preview-gateway.ts created (one per process). */
export function setPreviewGateway(gateway: PreviewGateway): void {
  getAppRuntime().previewGateway = gateway;
}

export async function stopPreviewGateway(): Promise<void> {
  const runtime = getAppRuntime();
  const gateway = runtime.previewGateway;
  runtime.previewGateway = undefined;
  await gateway?.stop();
}
