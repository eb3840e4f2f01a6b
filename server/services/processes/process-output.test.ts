import { describe, expect, it } from "vitest";
import { ProcessOutput, type ProcessEvent } from "./process-output";

describe("ProcessOutput", () => {
  it("numbers stdout, stderr and exit in order and hands new listeners the backlog", () => {
    const out = new ProcessOutput();
    out.append("stdout", Buffer.from("ready\n"));
    out.append("stderr", Buffer.from("warn\n"));
    const live: ProcessEvent[] = [];
    const { backlog } = out.subscribe((e) => live.push(e));
    out.end("failed", 1);
    expect(backlog.map((e) => e.seq)).toEqual([1, 2]);
    expect(live).toEqual([{ seq: 3, type: "exit", status: "failed", exitCode: 1 }]);
    expect(out.text()).toBe("ready\nwarn\n");
    out.append("stdout", "after the end");
    expect(out.text()).toBe("ready\nwarn\n");
  });

  it("keeps a multi-byte character split across chunks whole", () => {
    const out = new ProcessOutput();
    const bytes = Buffer.from("é→", "utf8");
    out.append("stdout", bytes.subarray(0, 1));
    out.append("stdout", bytes.subarray(1));
    expect(out.text()).toBe("é→");
  });

  it("drops the oldest output beyond its cap, keeping the newest", () => {
    const out = new ProcessOutput(100);
    for (let i = 0; i < 50; i++) out.append("stdout", `line ${String(i).padStart(2, "0")}\n`);
    const text = out.text();
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text.endsWith("line 49\n")).toBe(true);
    expect(text).not.toContain("line 00");
    const { backlog } = out.subscribe(() => {});
    expect(backlog.at(-1)?.seq).toBe(50);
  });
});
