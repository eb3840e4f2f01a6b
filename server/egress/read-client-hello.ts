// Waits for a client's TLS ClientHello on a CONNECT tunnel, bounded in bytes (the parser's
// MAX_CLIENT_HELLO_BUFFER) and in time, without consuming anything: the bytes read are returned to
// be written upstream first once the hello is accepted.
import type { Duplex } from "node:stream";
import { type ClientHello, parseClientHello } from "./tls-client-hello";

/** A client that sends no complete ClientHello within this time is refused. */
export const CLIENT_HELLO_TIMEOUT_MS = 10_000;

export type ClientHelloRead =
  | { ok: true; hello: ClientHello; data: Buffer }
  /** `silent`: the client closed before sending a byte (nothing to refuse, nothing was forwarded). */
  | { ok: false; reason: string; silent: boolean };

export function readClientHello(socket: Duplex, head: Buffer, timeoutMs = CLIENT_HELLO_TIMEOUT_MS): Promise<ClientHelloRead> {
  return new Promise((resolve) => {
    let data = head;
    let done = false;
    const finish = (result: ClientHelloRead) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.pause();
      resolve(result);
    };
    const check = () => {
      const result = parseClientHello(data);
      if (result.kind === "hello") finish({ ok: true, hello: result, data });
      else if (result.kind === "invalid") finish({ ok: false, reason: `not a valid TLS ClientHello: ${result.reason}`, silent: false });
    };
    const onData = (chunk: Buffer) => {
      data = data.length ? Buffer.concat([data, chunk]) : chunk;
      check();
    };
    const onEnd = () => finish({ ok: false, reason: "the client closed before its TLS ClientHello", silent: data.length === 0 });
    const timer = setTimeout(() => finish({ ok: false, reason: `no TLS ClientHello within ${timeoutMs / 1000} s`, silent: false }), timeoutMs);
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("close", onEnd);
    if (data.length) check();
  });
}
