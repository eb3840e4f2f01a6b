// Fuzz of the host-side decoding: a hostile agent (a real node:http2 server, or raw bytes, on a
// real Unix socket pair) answers with random, truncated, oversized or compressed Connect
// envelopes, garbage frames, RST_STREAM, GOAWAY, streams that never end, and closes mid-stream.
// Every call must end (a value or an AgentCallError) within its deadline, and the process must
// see no unhandled rejection and no uncaught exception.
import type * as http2 from "node:http2";
import type { Socket } from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { SandboxError } from "../errors";
import { AgentConnection } from "./agent-connection";
import { checkedProcessEvents, checkListing } from "./agent-events";
import { FileEntrySchema, ListFilesResponseSchema, ProcessEventSchema, Stream } from "./gen/pantheon/agent/v1/agent_pb";
import { socketPairExec } from "@/test/support/agent-test-execs";
import { catchEscapes, endOk, envelope, fakeAgentConnection } from "@/test/support/fake-agent-wire";

const log = pino({ level: "silent" });
const DEADLINE_MS = 300;
/** Death detection (≤ 750 ms) plus scheduling slack on a loaded 2-core machine. */
const SLACK_MS = 1500;

const escapes = catchEscapes();

const event = (seq: number, value: Parameters<typeof create<typeof ProcessEventSchema>>[1]) =>
  envelope(0, toBinary(ProcessEventSchema, create(ProcessEventSchema, { ...value, seq: BigInt(seq) })));
const output = (seq: number, bytes: Uint8Array) => event(seq, { event: { case: "output", value: { stream: Stream.STDOUT, data: bytes } } });
const exited = (seq: number) => event(seq, { event: { case: "exited", value: { exitCode: 0 } } });

/** What the hostile agent does with one streaming call. */
type Behaviour =
  | { kind: "random-body"; bytes: Uint8Array; status: number; contentType: string }
  | { kind: "random-envelopes"; parts: { flags: number; data: Uint8Array }[]; end: boolean }
  | { kind: "claims-huge"; claimed: number; data: Uint8Array }
  | { kind: "truncated"; cut: number }
  | { kind: "oversized"; bytes: number }
  | { kind: "compressed" }
  | { kind: "no-headers" }
  | { kind: "never-ends"; intervalMs: number }
  | { kind: "seq-lie"; seqs: number[] }
  | { kind: "no-exit"; events: number }
  | { kind: "output-too-big" }
  | { kind: "rst"; code: number; afterEvents: number }
  | { kind: "goaway"; afterEvents: number }
  | { kind: "close-mid-stream"; afterEvents: number }
  | { kind: "garbage-frames"; bytes: Uint8Array }
  | { kind: "huge-trailers"; size: number }
  | { kind: "bad-names"; names: Uint8Array[] }
  | { kind: "huge-headers"; size: number }
  | { kind: "settings-flood"; count: number }
  | { kind: "ping-flood"; count: number };

const smallBytes = fc.uint8Array({ maxLength: 256 });
const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.record({
    kind: fc.constant("random-body" as const),
    bytes: fc.uint8Array({ maxLength: 2048 }),
    status: fc.constantFrom(200, 400, 404, 500, 503),
    contentType: fc.constantFrom("application/connect+proto", "application/connect+json", "text/html", "application/proto"),
  }),
  fc.record({
    kind: fc.constant("random-envelopes" as const),
    parts: fc.array(fc.record({ flags: fc.integer({ min: 0, max: 255 }), data: smallBytes }), { maxLength: 6 }),
    end: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("claims-huge" as const), claimed: fc.integer({ min: 4 * 1024 * 1024 + 1, max: 0xffffffff }), data: smallBytes }),
  fc.record({ kind: fc.constant("truncated" as const), cut: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("oversized" as const), bytes: fc.integer({ min: 4 * 1024 * 1024 + 1, max: 6 * 1024 * 1024 }) }),
  fc.constant({ kind: "compressed" as const }),
  fc.constant({ kind: "no-headers" as const }),
  fc.record({ kind: fc.constant("never-ends" as const), intervalMs: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ kind: fc.constant("seq-lie" as const), seqs: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant("no-exit" as const), events: fc.integer({ min: 0, max: 5 }) }),
  fc.constant({ kind: "output-too-big" as const }),
  fc.record({ kind: fc.constant("rst" as const), code: fc.integer({ min: 0, max: 13 }), afterEvents: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant("goaway" as const), afterEvents: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant("close-mid-stream" as const), afterEvents: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant("garbage-frames" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 512 }) }),
  fc.record({ kind: fc.constant("huge-trailers" as const), size: fc.integer({ min: 70 * 1024, max: 200 * 1024 }) }),
  fc.record({ kind: fc.constant("huge-headers" as const), size: fc.integer({ min: 70 * 1024, max: 1024 * 1024 }) }),
  fc.record({ kind: fc.constant("settings-flood" as const), count: fc.integer({ min: 1, max: 2000 }) }),
  fc.record({ kind: fc.constant("ping-flood" as const), count: fc.integer({ min: 1, max: 2000 }) }),
  fc.record({ kind: fc.constant("bad-names" as const), names: fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 8 }) }),
);

function answer(stream: http2.ServerHttp2Stream, socket: Socket, b: Behaviour): void {
  stream.on("error", () => {});
  const head = (contentType = "application/connect+proto", status = 200) => stream.respond({ ":status": status, "content-type": contentType });
  const events = (n: number) => {
    for (let i = 1; i <= n; i++) stream.write(output(i, new Uint8Array([i, 0, 0xff])));
  };
  switch (b.kind) {
    case "random-body":
      head(b.contentType, b.status);
      stream.end(Buffer.from(b.bytes));
      return;
    case "random-envelopes":
      head();
      for (const p of b.parts) stream.write(envelope(p.flags, p.data));
      if (b.end) stream.end();
      return;
    case "claims-huge":
      head();
      stream.write(envelope(0, b.data, b.claimed));
      return;
    case "truncated": {
      head();
      // Cut inside the exit event (or before it): the process must not pass for finished.
      const whole = Buffer.concat([output(1, new Uint8Array(32)), exited(2)]);
      stream.end(whole.subarray(0, Math.max(0, whole.length - b.cut)));
      return;
    }
    case "oversized":
      head();
      stream.end(envelope(0, new Uint8Array(b.bytes)));
      return;
    case "compressed":
      stream.respond({ ":status": 200, "content-type": "application/connect+proto", "connect-content-encoding": "gzip" });
      stream.end(envelope(0x01, new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])));
      return;
    case "no-headers":
      return;
    case "never-ends": {
      head();
      let seq = 1;
      const timer = setInterval(() => {
        if (stream.destroyed) return clearInterval(timer);
        stream.write(output(seq++, new Uint8Array(16)));
      }, b.intervalMs);
      stream.on("close", () => clearInterval(timer));
      return;
    }
    case "seq-lie":
      head();
      for (const s of b.seqs) stream.write(output(s, new Uint8Array([s])));
      stream.write(exited(b.seqs.length + 1));
      stream.end(endOk());
      return;
    case "no-exit":
      head();
      events(b.events);
      stream.end(endOk());
      return;
    case "output-too-big":
      head();
      stream.write(output(1, new Uint8Array(64 * 1024 + 1)));
      stream.end(endOk());
      return;
    case "rst":
      head();
      events(b.afterEvents);
      setImmediate(() => stream.close(b.code));
      return;
    case "goaway":
      head();
      events(b.afterEvents);
      setImmediate(() => stream.session?.goaway(0));
      return;
    case "close-mid-stream":
      head();
      events(b.afterEvents);
      setImmediate(() => socket.destroy());
      return;
    case "garbage-frames":
      head();
      events(1);
      // Raw bytes on the connection, outside any frame boundary the client expects.
      setImmediate(() => socket.write(Buffer.from(b.bytes)));
      return;
    case "huge-trailers":
      head();
      events(1);
      stream.end(envelope(0x02, Buffer.from(JSON.stringify({ metadata: { x: ["y".repeat(b.size)] } }))));
      return;
    case "huge-headers":
      stream.respond({ ":status": 200, "content-type": "application/connect+proto", "x-big": "z".repeat(b.size) });
      stream.end(exited(1));
      return;
    case "settings-flood":
      head();
      try {
        for (let i = 0; i < b.count; i++) stream.session?.settings({ initialWindowSize: 65535 + (i % 7) });
      } catch {
        // Node refuses past its own limit of unacknowledged SETTINGS: as many as it would send.
      }
      events(1);
      return;
    case "ping-flood":
      head();
      try {
        for (let i = 0; i < b.count; i++) stream.session?.ping(() => {});
      } catch {
        // Past the server's maxOutstandingPings.
      }
      events(1);
      return;
    case "bad-names":
      head();
      stream.write(
        envelope(0, toBinary(ListFilesResponseSchema, create(ListFilesResponseSchema, { entries: b.names.map((path) => create(FileEntrySchema, { path })) }))),
      );
      stream.end(endOk());
      return;
  }
}

function hostileConnection(b: Behaviour) {
  return fakeAgentConnection((stream, _headers, agentEnd) => answer(stream, agentEnd, b));
}

/** Drains a call; returns "ok" or the error it ended with. */
async function settle(b: Behaviour, connection: AgentConnection): Promise<unknown> {
  try {
    if (b.kind === "bad-names") {
      for await (const batch of connection.files.list({ recursive: true }, { timeoutMs: DEADLINE_MS })) {
        const listing = checkListing(batch);
        for (const entry of listing.entries) {
          // An accepted name is a workspace path by the product's rules.
          expect(entry.path).not.toMatch(/(^\/)|(^|\/)\.\.?(\/|$)|[\u0000-\u001f]/);
        }
      }
    } else {
      for await (const _ of checkedProcessEvents(
        connection.process.start({ id: "x", command: { case: "shell", value: "true" } }, { timeoutMs: DEADLINE_MS }),
      )) {
        // drained
      }
    }
    return "ok";
  } catch (err) {
    return err;
  }
}

describe("hostile agent", () => {
  it("every call ends cleanly within its deadline, whatever the agent sends", async () => {
    await fc.assert(
      fc.asyncProperty(behaviour, async (b) => {
        const { connection, cleanup } = await hostileConnection(b);
        try {
          const started = Date.now();
          const result = await settle(b, connection);
          const elapsed = Date.now() - started;
          expect(elapsed).toBeLessThan(DEADLINE_MS + SLACK_MS);
          if (result !== "ok") expect(result).toBeInstanceOf(SandboxError);
          // Only a well-formed stream may succeed: nothing else passes for a finished process.
          const honestSeqs = b.kind === "seq-lie" && b.seqs.every((seq, i) => seq === i + 1);
          if (result === "ok" && !honestSeqs) expect(["bad-names", "random-envelopes", "random-body"]).toContain(b.kind);
        } finally {
          cleanup();
        }
      }),
      { numRuns: 120 },
    );
    // Give late socket events a turn, then look for anything that escaped.
    await new Promise((r) => setTimeout(r, 100));
    expect(escapes).toEqual([]);
  }, 120_000);

  it("garbage instead of HTTP/2 from the first byte fails the connect, not the process", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (bytes) => {
        const pair = await socketPairExec();
        pair.agentEnd.on("data", () => {});
        pair.agentEnd.write(Buffer.from(bytes));
        const started = Date.now();
        const result = await AgentConnection.over(pair.exec, "garbage", { log, helloTimeoutMs: DEADLINE_MS }).then(
          (c) => {
            c.close();
            return "ok";
          },
          (err: unknown) => err,
        );
        pair.cleanup();
        expect(result).toBeInstanceOf(SandboxError);
        expect(Date.now() - started).toBeLessThan(DEADLINE_MS + SLACK_MS);
      }),
      { numRuns: 40 },
    );
    expect(escapes).toEqual([]);
  }, 60_000);
});
