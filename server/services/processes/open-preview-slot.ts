import { type PreviewGateway, PreviewPortsExhausted } from "@/server/preview/preview-gateway";
import type { PreviewTarget } from "@/server/preview/preview-proxy";

/**
 * Opens a preview and records its slot in the process row. Each instance numbers its slots itself,
 * so the slot it picks may be held by a running process of another instance; the row's unique
 * slot refuses it (`record` answers null) and the next is tried (SCALE.md "Previews through any
 * instance"), so a preview URL names one process in the whole deployment.
 */
export async function openPreviewSlot<R>(
  gateway: Pick<PreviewGateway, "open" | "close" | "settings">,
  target: PreviewTarget,
  record: (slot: number) => Promise<R | null>,
): Promise<{ slot: number; row: R }> {
  const { from, to } = gateway.settings.ports;
  for (let tried = 0; tried <= to - from; tried++) {
    const slot = await gateway.open(target);
    let row: R | null;
    try {
      row = await record(slot);
    } catch (err) {
      await gateway.close(slot);
      throw err;
    }
    if (row !== null) return { slot, row };
    await gateway.close(slot);
  }
  throw new PreviewPortsExhausted(gateway.settings.ports);
}
