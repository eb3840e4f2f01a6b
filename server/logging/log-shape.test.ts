import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { isLogLine, logLine, pipeAsLogLines } from "@/scripts/log-line.mjs";
import { logLineSchema, reshapeLogJson, toLogLine } from "./log-shape";
import { createLogger } from "./logger";
import { routeConsoleToLogger } from "./process-output";

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

const SEED_KEYS = ["action", "ai_personality", "execution_time", "level", "resource_usage", "sandbox_id", "timestamp", "user_id"];

describe("the one log line shape", () => {
  it("the app's logger writes the seed's keys, with what else a line carries under context", async () => {
    const { lines, stream } = capture();
    const log = createLogger({ destination: stream, level: "debug", bindings: { service: "pantheon-sandbox" } }).child({ component: "engine" });
    log.info({ containerId: "c0ffee", projectId: 42, userId: 7, durationMs: 12.5 }, "bound a container");
    log.warn({ err: new TypeError("bad thing"), aiPersonality: "geppo" }, "listener threw");
    log.debug("details");
    log.fatal("the end");
    await new Promise((r) => setImmediate(r));
    const parsed = lines.map((l) => logLineSchema.parse(JSON.parse(l)));
    expect(parsed).toHaveLength(4);
    for (const line of parsed)
      expect(
        Object.keys(line)
          .filter((k) => k !== "context" && k !== "error")
          .sort(),
      ).toEqual(SEED_KEYS);
    expect(parsed[0]).toMatchObject({
      level: "info",
      action: "bound a container",
      sandbox_id: "42",
      user_id: "7",
      ai_personality: "none",
      execution_time: 12.5,
      resource_usage: {},
      context: { service: "pantheon-sandbox", component: "engine", containerId: "c0ffee" },
    });
    expect(parsed[1]).toMatchObject({ level: "warn", ai_personality: "geppo", error: "TypeError: bad thing", sandbox_id: "none" });
    expect(parsed[1]?.context?.stack).toMatch(/TypeError: bad thing\n\s+at /);
    expect(parsed.map((l) => l.level)).toEqual(["info", "warn", "debug", "error"]);
  });

  it("keeps the redaction of secrets and makes sandbox text inert", async () => {
    const { lines, stream } = capture();
    createLogger({ destination: stream }).info(
      { password: "hunter2hunter2", headers: { cookie: "s=1" } },
      "\u001b[31mred\u001b[0m\u202e and psk_0123abcd_" + "B".repeat(43),
    );
    await new Promise((r) => setImmediate(r));
    const line = logLineSchema.parse(JSON.parse(lines[0] ?? ""));
    expect(line.action).toBe("red\\u202e and psk_[redacted]");
    expect(line.context).toEqual({ password: "[redacted]", headers: { cookie: "[redacted]" } });
  });

  it("turns anything (not JSON, an array, no time) into a line of the shape", () => {
    for (const text of ["plain text\n", "[1,2]\n", '{"msg":{"a":1}}\n', "{}\n"]) {
      expect(logLineSchema.safeParse(JSON.parse(reshapeLogJson(text))).success, text).toBe(true);
    }
    expect(toLogLine({ level: 30, time: 0, msg: "m" }).timestamp).toBe("1970-01-01T00:00:00.000Z");
  });

  it("scripts/log-line.mjs (start.mjs) writes the same shape, and wraps a child's plain lines", async () => {
    expect(logLineSchema.parse(JSON.parse(logLine("\u001b[1mbuilding\u001b[0m", { component: "start" })))).toMatchObject({
      action: "building",
      context: { component: "start" },
    });
    const child = new PassThrough();
    const { lines, stream } = capture();
    const done = pipeAsLogLines(child, stream, { component: "next-build" });
    const serverLine = reshapeLogJson('{"level":30,"msg":"from the server"}').trimEnd();
    child.end(`   ▲ Next.js 16\n\n${serverLine}\n(node:1) Warning: something\n`);
    await done;
    expect(lines.map((l) => logLineSchema.parse(JSON.parse(l)).action)).toEqual(["▲ Next.js 16", "from the server", "(node:1) Warning: something"]);
    expect(lines[1]).toBe(serverLine);
    expect(isLogLine("{not json")).toBe(false);
  });
});

describe("console routed through the logger", () => {
  it("console.* (Next's messages, a library's) become log lines of component console", async () => {
    const saved = { ...console };
    const { lines, stream } = capture();
    try {
      routeConsoleToLogger(createLogger({ destination: stream, level: "debug" }));
      console.log("%s ready on %d", "next", 3000);
      console.error(new Error("boom"));
      console.warn("careful");
    } finally {
      Object.assign(console, saved);
    }
    await new Promise((r) => setImmediate(r));
    const parsed = lines.map((l) => logLineSchema.parse(JSON.parse(l)));
    expect(parsed.map((l) => [l.level, l.action.split("\n")[0], l.context?.component])).toEqual([
      ["info", "next ready on 3000", "console"],
      ["error", "Error: boom", "console"],
      ["warn", "careful", "console"],
    ]);
  });
});
