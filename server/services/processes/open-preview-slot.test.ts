import { describe, expect, it } from "vitest";
import { PreviewPortsExhausted } from "@/server/preview/preview-gateway";
import { openPreviewSlot } from "./open-preview-slot";

// A gateway that hands out its slots in turn, as PreviewGateway does, and records what it closed.
function fakeGateway(from: number, to: number) {
  let cursor = from;
  const open = new Set<number>();
  const closed: number[] = [];
  return {
    settings: { ports: { from, to } } as never,
    open: async () => {
      for (let i = 0; i <= to - from; i++) {
        const slot = cursor;
        cursor = slot >= to ? from : slot + 1;
        if (!open.has(slot)) {
          open.add(slot);
          return slot;
        }
      }
      throw new PreviewPortsExhausted({ from, to });
    },
    close: async (slot: number) => {
      open.delete(slot);
      closed.push(slot);
    },
    open_: open,
    closed,
  };
}

const target = { processId: 7, projectId: 3, port: 5173, image: "node" as const };

describe("openPreviewSlot", () => {
  it("skips slots another instance's running process holds, closing each one it gave up", async () => {
    const gateway = fakeGateway(4100, 4104);
    const heldElsewhere = new Set([4100, 4101]);
    const result = await openPreviewSlot(gateway, target, async (slot) => (heldElsewhere.has(slot) ? null : { slot }));
    expect(result).toEqual({ slot: 4102, row: { slot: 4102 } });
    expect(gateway.closed).toEqual([4100, 4101]);
    expect([...gateway.open_]).toEqual([4102]);
  });

  it("says every slot is in use when the whole range is held elsewhere, leaving nothing open", async () => {
    const gateway = fakeGateway(4100, 4102);
    await expect(openPreviewSlot(gateway, target, async () => null)).rejects.toBeInstanceOf(PreviewPortsExhausted);
    expect(gateway.open_.size).toBe(0);
  });

  it("closes the slot and passes on any other failure to record it", async () => {
    const gateway = fakeGateway(4100, 4102);
    await expect(
      openPreviewSlot(gateway, target, async () => {
        throw new Error("database down");
      }),
    ).rejects.toThrow("database down");
    expect(gateway.closed).toEqual([4100]);
    expect(gateway.open_.size).toBe(0);
  });
});
