import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "@/server/logging/logger";
import { buildSandboxLogEntry, createSandboxLogger } from "./sandbox-log";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

const at = new Date("2026-11-26T10:00:00.000Z");

describe("sandbox log entries", () => {
  it("have exactly the seed's SandboxLogEntry keys on one JSON line", async () => {
    const { lines, stream } = capture();
    createSandboxLogger(createLogger({ destination: stream, level: "info" })).log(
      {
        level: "error",
        sandbox_id: "c0ffee",
        user_id: 7,
        ai_personality: "geppo",
        action: "execute",
        execution_time: 1234,
        resource_usage: { cpu_usage: 12.5, memory_usage: 64 },
        error: "Traceback\n\u001b[31mZeroDivisionError\u001b[0m",
      },
      at,
    );
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(Object.keys(entry).sort()).toEqual([
      "action",
      "ai_personality",
      "error",
      "execution_time",
      "level",
      "resource_usage",
      "sandbox_id",
      "timestamp",
      "user_id",
    ]);
    expect(entry).toMatchObject({ level: "error", user_id: "7", action: "execute", execution_time: 1234, error: "Traceback\\nZeroDivisionError" });
  });

  it("escapes output and never carries secrets", () => {
    const e = buildSandboxLogEntry(
      {
        level: "warn",
        sandbox_id: "s",
        user_id: "u",
        action: "run\nforged",
        execution_time: 1,
        error: "leaked password=hunter2 and psk_0123abcd_" + "B".repeat(43),
      },
      at,
    );
    expect(e.action).toBe("run\\nforged");
    expect(e.error).not.toContain("hunter2");
    expect(e.error).not.toContain("BBBBBBBB");
    expect(e.ai_personality).toBe("none");
    expect(e.timestamp).toBe("2026-11-26T10:00:00.000Z");
  });

  it("respects the level", async () => {
    const { lines, stream } = capture();
    createSandboxLogger(createLogger({ destination: stream, level: "warn" })).log({
      level: "info",
      sandbox_id: "s",
      user_id: "u",
      action: "noise",
      execution_time: 0,
    });
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([]);
  });
});
