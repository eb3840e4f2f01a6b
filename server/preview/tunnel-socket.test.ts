import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { TunnelError, TunnelSocket, type TunnelProcess } from "./tunnel-socket";

// A stand-in for the connector process (unit test: the real one runs in docker tests).
function fakeProcess() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let exit!: (outcome: { exitCode: number | null }) => void;
  const exited = new Promise<{ exitCode: number | null }>((resolve) => (exit = resolve));
  let killed = 0;
  const process: TunnelProcess = {
    stdin,
    stdout,
    stderr,
    exited,
    kill: async () => {
      killed++;
      exit({ exitCode: 137 });
    },
  };
  return { process, stdin, stdout, stderr, exit, killed: () => killed };
}

const once = <T>(emitter: NodeJS.EventEmitter, event: string) => new Promise<T>((resolve) => emitter.once(event, resolve));

describe("TunnelSocket", () => {
  it("carries bytes both ways and ends after the connector exits 0", async () => {
    const p = fakeProcess();
    const socket = new TunnelSocket(p.process, 5173);
    const written: Buffer[] = [];
    p.stdin.on("data", (c: Buffer) => written.push(c));
    socket.write("GET / HTTP/1.1\r\n\r\n");
    const received: Buffer[] = [];
    socket.on("data", (c: Buffer) => received.push(c));
    p.stdout.write("HTTP/1.1 200 OK\r\n");
    p.stdout.end();
    await new Promise((r) => setImmediate(r));
    expect(socket.readableEnded).toBe(false); // EOF waits for the exit status
    p.exit({ exitCode: 0 });
    await once(socket, "end");
    expect(Buffer.concat(written).toString()).toBe("GET / HTTP/1.1\r\n\r\n");
    expect(Buffer.concat(received).toString()).toBe("HTTP/1.1 200 OK\r\n");
    expect(socket.answered).toBe(true);
  });

  it("fails with the connector's own message when it exits non-zero", async () => {
    const p = fakeProcess();
    const socket = new TunnelSocket(p.process, 5173);
    const failed = once<Error>(socket, "error");
    p.stderr.write("pantheon-tunnel: nothing listening on port 5173\n");
    p.stdout.end();
    p.exit({ exitCode: 1 });
    const err = await failed;
    expect(err).toBeInstanceOf(TunnelError);
    expect(err.message).toBe("nothing listening on port 5173");
  });

  it("on hang-up sends EOF to the connector and kills it if it lingers", async () => {
    const p = fakeProcess();
    const socket = new TunnelSocket(p.process, 5173);
    const stdinEnded = once(p.stdin, "end");
    p.stdin.resume();
    socket.destroy();
    await stdinEnded;
    await p.process.exited.then(
      () => undefined,
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, 2_200));
    expect(p.killed()).toBe(1);
  });

  it("emits timeout after the idle time set by the HTTP agent, and activity postpones it", async () => {
    const p = fakeProcess();
    const socket = new TunnelSocket(p.process, 5173);
    let timedOut = 0;
    socket.setTimeout(80, () => timedOut++);
    await new Promise((r) => setTimeout(r, 50));
    p.stdout.write("x");
    await new Promise((r) => setTimeout(r, 50));
    expect(timedOut).toBe(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(timedOut).toBe(1);
    socket.destroy();
  });
});
