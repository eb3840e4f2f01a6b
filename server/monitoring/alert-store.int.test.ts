import { describe, expect, it } from "vitest";
import { alertRepository } from "@/server/repositories/alert-repository";
import { createAlertMonitor } from "./alert-monitor";
import { DEFAULT_POLICY } from "./alert-rules";
import { storeAlertTransition } from "./alert-store";

describe("alerts in the database", () => {
  it("a raise is stored once and its resolution closes the same row with the peak", async () => {
    const subject = `project:${Date.now()}`;
    const stored: Promise<void>[] = [];
    const monitor = createAlertMonitor({
      policy: { ...DEFAULT_POLICY, raiseAfter: 1, resolveAfter: 1 },
      notifier: null,
      onTransition: (t) => {
        const p = storeAlertTransition(t);
        stored.push(p);
        return p;
      },
    });
    const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 12, 0, s));
    monitor.tick([{ rule: "memory_mb", subject, value: 450 }], at(0));
    monitor.tick([{ rule: "memory_mb", subject, value: 520 }], at(5));
    await new Promise((r) => setTimeout(r, 0));
    await Promise.all(stored);
    let open = (await alertRepository.listOpen()).filter((a) => a.subject === subject);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ rule: "memory_mb", value: 450, threshold: 400, resolvedAt: null });

    monitor.tick([{ rule: "memory_mb", subject, value: 100 }], at(10));
    await new Promise((r) => setTimeout(r, 0));
    await Promise.all(stored);
    open = (await alertRepository.listOpen()).filter((a) => a.subject === subject);
    expect(open).toEqual([]);
    const recent = (await alertRepository.listRecent(at(-1))).filter((a) => a.subject === subject);
    expect(recent).toHaveLength(1);
    expect(recent[0]).toMatchObject({ peak: 520, resolvedAt: at(10) });
    expect(await alertRepository.deleteResolvedBefore(at(11))).toBeGreaterThanOrEqual(1);
  });
});
