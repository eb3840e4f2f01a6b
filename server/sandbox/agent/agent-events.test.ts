import { create } from "@bufbuild/protobuf";
import { Writable } from "node:stream";
import { PassThrough } from "node:stream";
import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import { forwardAgentLog } from "./agent-log";
import { checkedProcessEvents, checkWatchBatch, checkWrites } from "./agent-events";
import { decodeAgentPath, encodeWorkspacePath } from "./agent-paths";
import { ExitedSchema, FileChange_Kind, FileEntrySchema, ProcessEventSchema, WatchResponseSchema, type ProcessEvent } from "./gen/pantheon/agent/v1/agent_pb";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("decodeAgentPath", () => {
  it("accepts a workspace path and refuses what the product refuses", () => {
    expect(decodeAgentPath(bytes("src/a b.ts"))).toEqual({ ok: true, path: "src/a b.ts" });
    for (const bad of ["../etc/passwd", "/etc/passwd", "a/../../b", "a\nb", "a\u0000b", "a//b", "./a", "", "a\\b"]) {
      const decoded = decodeAgentPath(bytes(bad));
      expect(decoded.ok, bad).toBe(false);
    }
  });

  it("keeps a name that is not UTF-8 under its escaped path (no lossy decode that would name another file)", () => {
    expect(decodeAgentPath(new Uint8Array([0x61, 0xff, 0x62]))).toEqual({ ok: true, path: "a\\xffb" });
    // An overlong '/' and an encoded surrogate are bytes of one name, never a separator or a character.
    expect(decodeAgentPath(new Uint8Array([0xc0, 0xaf]))).toEqual({ ok: true, path: "\\xc0\\xaf" });
    expect(decodeAgentPath(new Uint8Array([0xed, 0xa0, 0x80]))).toEqual({ ok: true, path: "\\xed\\xa0\\x80" });
    // Hostile whatever the bytes: refused by name, escaped.
    expect(decodeAgentPath(new Uint8Array([0x2e, 0x2e, 0x2f, 0xff]))).toMatchObject({ ok: false, refused: { path: "../\\xff", reason: "invalid-path" } });
  });

  it("checks the paths we send before they reach the agent", () => {
    expect(() => encodeWorkspacePath("../x")).toThrow(/refused path/);
    expect(() => encodeWorkspacePath("\\xFF")).toThrow(/refused path/);
    expect(encodeWorkspacePath("")).toHaveLength(0);
    // An escaped path goes to the agent as the name's exact bytes.
    expect([...encodeWorkspacePath("caf\\xe9/x\\xff")]).toEqual([0x63, 0x61, 0x66, 0xe9, 0x2f, 0x78, 0xff]);
  });
});

describe("checkWatchBatch", () => {
  const entry = (path: string) => create(FileEntrySchema, { path: bytes(path), size: 3n });
  it("keeps good changes, refuses bad names, and fails on inline content larger than asked", () => {
    const batch = create(WatchResponseSchema, {
      changes: [
        { path: bytes("a.txt"), kind: FileChange_Kind.WRITTEN, entry: entry("a.txt"), content: bytes("abc") },
        { path: new Uint8Array([0xff]), kind: FileChange_Kind.WRITTEN },
        { path: bytes("a/../../x"), kind: FileChange_Kind.WRITTEN },
        { path: bytes("gone.txt"), kind: FileChange_Kind.REMOVED },
      ],
    });
    const checked = checkWatchBatch(batch, 16);
    expect(checked.changes.map((c) => `${c.kind}:${c.path}`)).toEqual(["written:a.txt", "written:\\xff", "removed:gone.txt"]);
    expect(checked.refused).toHaveLength(1);
    expect(() => checkWatchBatch(batch, 2)).toThrow(/inline content/);
  });

  it("does not believe an entry that names another file", () => {
    const batch = create(WatchResponseSchema, { changes: [{ path: bytes("a.txt"), kind: FileChange_Kind.WRITTEN, entry: entry("../b") }] });
    expect(() => checkWatchBatch(batch, 16)).toThrow(/another file/);
  });
});

describe("checkWrites", () => {
  it("saves accepted paths (a name that is not UTF-8 among them, escaped) and refuses bad ones by name", () => {
    const checked = checkWrites(
      create(ExitedSchema, { writtenPaths: [bytes("a.txt"), bytes("../x"), Uint8Array.from([0x62, 0xff, 0x2e, 0x74]), Uint8Array.from([0xff, 0x0a])] }),
    );
    expect(checked.paths).toEqual(["a.txt", "b\\xff.t"]);
    expect(checked.refused.map((f) => [f.path, f.reason])).toEqual([
      ["../x", "invalid-path"],
      ["\\xff\n", "invalid-path"],
    ]);
    expect(checked.overflow).toBe(false);
  });
});

describe("forwardAgentLog", () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        cb();
      },
    });
    return { lines, log: pino({ level: "debug" }, sink) };
  }
  const flush = () => new Promise((r) => setTimeout(r, 20));

  it("nests the agent's fields (they never overwrite ours) and cuts long lines", async () => {
    const { lines, log } = capture();
    const stderr = new PassThrough();
    forwardAgentLog(stderr, log.child({ containerId: "c1" }), { maxLineBytes: 100, linesPerSecond: 100, burstLines: 100 });
    stderr.write(`${JSON.stringify({ level: "ERROR", msg: "boom", containerId: "forged" })}\nnot json\n`);
    stderr.write(`${"x".repeat(500)}\nafter\n`);
    await flush();
    expect(lines[0]).toMatchObject({ containerId: "c1", level: 50, msg: "agent: boom", agent: { containerId: "forged" } });
    expect(lines[1]).toMatchObject({ agentLine: "not json" });
    expect((lines[2]?.agentLine as string).length).toBe(100);
    expect(lines[3]).toMatchObject({ agentLine: "after" });
  });

  it("drops lines past the rate cap and says how many", async () => {
    const { lines, log } = capture();
    const stderr = new PassThrough();
    const forwarder = forwardAgentLog(stderr, log, { maxLineBytes: 100, linesPerSecond: 1, burstLines: 5 });
    stderr.write("line\n".repeat(1000));
    await flush();
    expect(lines.length).toBe(5);
    expect(forwarder.dropped()).toBe(995);
  });
});

describe("checkedProcessEvents: the call is read to its end after the exit", () => {
  const started = create(ProcessEventSchema, { seq: 1n, event: { case: "started", value: { pid: 7 } } });
  const exited = create(ProcessEventSchema, { seq: 2n, event: { case: "exited", value: create(ExitedSchema, { exitCode: 0 }) } });

  /** A call's events; `hang`: after them the stream stays open (a next() that never settles). */
  function call(events: ProcessEvent[], hang: boolean) {
    const calls = { next: 0, returned: 0 };
    let i = 0;
    const iterable: AsyncIterable<ProcessEvent> = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          calls.next++;
          const event = events[i++];
          if (event) return Promise.resolve({ done: false as const, value: event });
          return hang ? new Promise<IteratorResult<ProcessEvent>>(() => {}) : Promise.resolve({ done: true as const, value: undefined });
        },
        return: () => {
          calls.returned++;
          return Promise.resolve({ done: true as const, value: undefined });
        },
      }),
    };
    return { iterable, calls };
  }

  it("reads the end of the stream after `exited` instead of abandoning the call (an abandoned call is reset)", async () => {
    const { iterable, calls } = call([started, exited], false);
    const cancel = vi.fn();
    const seen = [];
    for await (const e of checkedProcessEvents(iterable, "test", 0, cancel)) seen.push(e.type);
    expect(seen).toEqual(["started", "exited"]);
    expect(calls).toEqual({ next: 3, returned: 0 });
    expect(cancel).not.toHaveBeenCalled();
  });

  it("an agent that keeps the stream open after `exited` has its call cut, and the events still end", async () => {
    vi.useFakeTimers();
    try {
      const { iterable, calls } = call([started, exited], true);
      const cancel = vi.fn();
      const seen: string[] = [];
      const done = (async () => {
        for await (const e of checkedProcessEvents(iterable, "test", 0, cancel)) seen.push(e.type);
      })();
      await vi.advanceTimersByTimeAsync(1_000);
      await done;
      expect(seen).toEqual(["started", "exited"]);
      expect(cancel).toHaveBeenCalledTimes(1);
      expect(calls.returned).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a stream that ends without `exited` still fails", async () => {
    const { iterable } = call([started], false);
    await expect(
      (async () => {
        for await (const _ of checkedProcessEvents(iterable, "test")) void _;
      })(),
    ).rejects.toThrow(/ended before the exit event/);
  });
});
