// The wire of a fake or hostile agent for tests of the host's agent client without Docker: a real
// node:http2 server on the far end of a real Unix socket pair, Connect envelopes written by hand,
// and a catcher for whatever escapes as an unhandled rejection or uncaught exception.
import * as http2 from "node:http2";
import type { Socket } from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import pino from "pino";
import { afterAll, beforeAll } from "vitest";
import { AgentConnection } from "@/server/sandbox/agent/agent-connection";
import { HelloResponseSchema } from "@/server/sandbox/agent/gen/pantheon/agent/v1/agent_pb";
import { socketPairExec } from "./agent-test-execs";

/** A Connect streaming envelope; `claimedLength` may lie about the data's size. */
export function envelope(flags: number, data: Uint8Array, claimedLength = data.length): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(flags & 0xff, 0);
  head.writeUInt32BE(claimedLength >>> 0, 1);
  return Buffer.concat([head, data]);
}

/** The end-of-stream envelope of a call that succeeded. */
export const endOk = () => envelope(0x02, Buffer.from("{}"));

/** What escaped while the file's tests ran (collected from beforeAll to afterAll): must stay empty. */
export function catchEscapes(): unknown[] {
  const escapes: unknown[] = [];
  const onEscape = (err: unknown) => escapes.push(err);
  beforeAll(() => {
    process.on("unhandledRejection", onEscape);
    process.on("uncaughtException", onEscape);
  });
  afterAll(() => {
    process.off("unhandledRejection", onEscape);
    process.off("uncaughtException", onEscape);
  });
  return escapes;
}

/**
 * An AgentConnection to a fake agent: Hello is answered honestly, every other call goes to
 * `onStream` (with the agent's end of the socket, to break the connection itself).
 */
export async function fakeAgentConnection(onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, agentEnd: Socket) => void) {
  const pair = await socketPairExec();
  const server = http2.createServer();
  server.on("sessionError", () => {});
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    if (headers[":path"] === "/pantheon.agent.v1.AgentService/Hello") {
      stream.respond({ ":status": 200, "content-type": "application/proto" });
      stream.end(Buffer.from(toBinary(HelloResponseSchema, create(HelloResponseSchema, { version: "fake" }))));
      return;
    }
    onStream(stream, headers, pair.agentEnd);
  });
  server.emit("connection", pair.agentEnd);
  const connection = await AgentConnection.over(pair.exec, "fake", { log: pino({ level: "silent" }) });
  return {
    connection,
    cleanup() {
      connection.close();
      pair.cleanup();
      server.close();
    },
  };
}
