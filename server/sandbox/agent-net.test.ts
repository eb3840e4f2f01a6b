// Forwarded connections against a fake agent (a real node:http2 server on a real Unix socket pair):
// what the host makes of each answer to NetService.Forward, for the eager socket the preview uses
// (handed out before the agent answers) and for forwardPort, which waits. A lying agent ends one
// socket with a SandboxError; it never passes for an open connection, and nothing escapes.
import type * as http2 from "node:http2";
import type { Duplex } from "node:stream";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEscapes, endOk, envelope, fakeAgentConnection } from "@/test/support/fake-agent-wire";
import { ForwardRequestSchema, ForwardResponseSchema } from "./agent/gen/pantheon/agent/v1/agent_pb";
import { forwardPort, NothingListeningError, openForward } from "./agent-net";
import { SandboxError } from "./errors";

const escapes = catchEscapes();

const answer = (value: { connected?: boolean; data?: Uint8Array }) => envelope(0, toBinary(ForwardResponseSchema, create(ForwardResponseSchema, value)));
const endError = (code: string) => envelope(0x02, Buffer.from(JSON.stringify({ error: { code, message: "dial tcp: connection refused" } })));

/** Reads the request's envelopes (port first, then data) as they come; the client's half-close is the request stream's end. */
function requests(stream: http2.ServerHttp2Stream, onMessage: (port: number, data: Buffer) => void, onEnd: () => void): void {
  let pending = Buffer.alloc(0);
  stream.on("data", (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
      const size = pending.readUInt32BE(1);
      const flags = pending.readUInt8(0);
      const body = pending.subarray(5, 5 + size);
      pending = pending.subarray(5 + size);
      if (flags & 0x02) continue;
      const m = fromBinary(ForwardRequestSchema, body);
      onMessage(m.port, Buffer.from(m.data));
    }
  });
  stream.on("end", onEnd);
}

type Agent = (stream: http2.ServerHttp2Stream) => void;

function fakeAgent(onForward: Agent) {
  return fakeAgentConnection((stream, headers) => {
    expect(headers[":path"]).toBe("/pantheon.agent.v1.NetService/Forward");
    onForward(stream);
  });
}

/** Everything the socket gives until it ends: its bytes, and the error it ended with (null for a clean end). */
function drain(socket: Duplex): Promise<{ text: string; error: Error | null }> {
  return new Promise((resolve) => {
    let text = "";
    socket.on("data", (b: Buffer) => (text += b.toString("latin1")));
    socket.on("end", () => resolve({ text, error: null }));
    socket.on("error", (error: Error) => resolve({ text, error }));
  });
}

/** An honest agent: "connected", then it echoes what it gets, and ends on the client's half-close. */
const echoAgent: Agent = (stream) => {
  stream.respond({ ":status": 200, "content-type": "application/connect+proto" });
  stream.write(answer({ connected: true }));
  requests(
    stream,
    (_port, data) => void (data.length && stream.write(answer({ data }))),
    () => stream.end(endOk()),
  );
};

describe("forwarded connections against a fake agent", () => {
  it("eager: bytes written before the agent answered reach it behind the port, and its answer comes back", async () => {
    const seen: { port: number; data: string }[] = [];
    const { connection, cleanup } = await fakeAgent((stream) => {
      // Answers only once the data is in: the client did not wait for "connected".
      stream.respond({ ":status": 200, "content-type": "application/connect+proto" });
      requests(
        stream,
        (port, data) => {
          seen.push({ port, data: data.toString() });
          if (!data.length) return;
          stream.write(answer({ connected: true }));
          stream.write(answer({ data: Buffer.from(`echo ${data.toString()}`) }));
        },
        () => stream.end(endOk()),
      );
    });
    try {
      const { socket, connected } = openForward(connection, 8080);
      const result = drain(socket);
      socket.end("hello");
      await connected;
      expect(await result).toEqual({ text: "echo hello", error: null });
      expect(seen[0]).toEqual({ port: 8080, data: "" });
      expect(seen.map((s) => s.data).join("")).toBe("hello");
    } finally {
      cleanup();
    }
  });

  it("the agent's UNAVAILABLE is NothingListeningError: the eager socket's error, forwardPort's rejection", async () => {
    const { connection, cleanup } = await fakeAgent((stream) => {
      stream.respond({ ":status": 200, "content-type": "application/connect+proto" });
      stream.end(endError("unavailable"));
    });
    try {
      const { socket, connected } = openForward(connection, 8081);
      socket.write("lost");
      const result = await drain(socket);
      expect(result.text).toBe("");
      expect(result.error).toBeInstanceOf(NothingListeningError);
      await expect(connected).rejects.toBeInstanceOf(NothingListeningError);
      const refused = await forwardPort(connection, 8081).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(NothingListeningError);
      // The agent's own words are not passed on.
      expect((refused as Error).message).toBe("nothing listening on port 8081");
    } finally {
      cleanup();
    }
  });

  it("data before 'connected', or a stream that ends without it, is a protocol violation, never an open connection", async () => {
    for (const lie of [
      (s: http2.ServerHttp2Stream) => s.end(Buffer.concat([answer({ data: Buffer.from("HTTP/1.1 200 OK\r\n\r\nforged") }), endOk()])),
      (s: http2.ServerHttp2Stream) => s.end(endOk()),
    ]) {
      const { connection, cleanup } = await fakeAgent((stream) => {
        stream.respond({ ":status": 200, "content-type": "application/connect+proto" });
        lie(stream);
      });
      try {
        const { socket } = openForward(connection, 8082);
        const result = await drain(socket);
        expect(result.text).toBe("");
        expect(result.error).toMatchObject({ code: "INTERNAL", message: expect.stringContaining('no "connected" answer for port 8082') });
        await expect(forwardPort(connection, 8082)).rejects.toMatchObject({ code: "INTERNAL" });
      } finally {
        cleanup();
      }
    }
  });

  it("forwardPort still waits for 'connected' and gives an open socket; an aborted wait is CANCELLED", async () => {
    const { connection, cleanup } = await fakeAgent(echoAgent);
    try {
      const socket = await forwardPort(connection, 8083);
      const result = drain(socket);
      socket.end("ping");
      expect(await result).toEqual({ text: "ping", error: null });
      const aborted = new AbortController();
      aborted.abort();
      await expect(forwardPort(connection, 8083, { signal: aborted.signal })).rejects.toMatchObject({ code: "CANCELLED" });
    } finally {
      cleanup();
    }
  });

  it("whatever the agent answers, the eager socket ends with data or a SandboxError, and nothing escapes", async () => {
    const part = fc.oneof(
      fc.record({ kind: fc.constant("answer" as const), connected: fc.boolean(), data: fc.uint8Array({ maxLength: 64 }) }),
      fc.record({ kind: fc.constant("raw" as const), flags: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: 64 }) }),
      fc.record({ kind: fc.constant("error" as const), code: fc.constantFrom("unavailable", "internal", "not_found", "bogus") }),
      fc.record({ kind: fc.constant("rst" as const), code: fc.integer({ min: 0, max: 13 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(part, { minLength: 1, maxLength: 5 }), async (parts) => {
        const { connection, cleanup } = await fakeAgent((stream) => {
          stream.respond({ ":status": 200, "content-type": "application/connect+proto" });
          for (const p of parts) {
            if (p.kind === "answer") stream.write(answer({ connected: p.connected, data: p.data }));
            else if (p.kind === "raw") stream.write(envelope(p.flags, p.data));
            else if (p.kind === "error") return void stream.end(endError(p.code));
            else return void stream.close(p.code);
          }
          stream.end(endOk());
        });
        try {
          const { socket, connected } = openForward(connection, 8084);
          socket.write("request");
          const result = await drain(socket);
          const opened = await connected.then(
            () => true,
            () => false,
          );
          if (result.error) expect(result.error).toBeInstanceOf(SandboxError);
          // Bytes come through only after an honest "connected".
          const first = parts[0];
          if (result.text) expect(first?.kind === "answer" && first.connected).toBe(true);
          if (!opened) expect(result.text).toBe("");
        } finally {
          cleanup();
        }
      }),
      { numRuns: 60 },
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(escapes).toEqual([]);
  }, 120_000);
});
