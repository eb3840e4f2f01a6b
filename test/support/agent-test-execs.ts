// AttachedExecs for tests of the agent client without Docker: the agent as a child process on
// its stdin/stdout (the real Go binary, exactly as in a container), or an in-process HTTP/2
// server on the far end of a real Unix socket pair (fakes and hostile agents).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { AttachedExec } from "@/server/sandbox/driver";

export interface ChildAgent {
  exec: AttachedExec;
  pid: number;
}

/** Runs `argv` (the agent binary and its arguments) with pipes, as `docker exec` without a TTY would. */
export function childProcessExec(argv: string[], env: Record<string, string> = {}): ChildAgent {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error("empty argv");
  const child = spawn(cmd, args, { stdio: "pipe", env: { ...process.env, ...env } });
  const exited = new Promise<{ exitCode: number | null }>((resolve) => {
    child.once("exit", (code) => resolve({ exitCode: code }));
    child.once("error", () => resolve({ exitCode: null }));
  });
  return {
    pid: child.pid ?? -1,
    exec: {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      exited,
      resize: () => Promise.resolve(),
      detach: () => {
        child.stdout.destroy();
        child.stderr.destroy();
      },
    },
  };
}

export interface SocketPairExec {
  exec: AttachedExec;
  /** The agent's end: hand it to an http2 server with `server.emit("connection", agentEnd)`. */
  agentEnd: net.Socket;
  /** What the agent "logs" (its stderr). */
  agentStderr: PassThrough;
  /** Ends the fake exec as if the agent process exited. */
  exit(code?: number): void;
  /** The agent hangs: nothing more passes either way, yet nothing closes. */
  stall(): void;
  cleanup(): void;
}

async function unixSocketPair(): Promise<[net.Socket, net.Socket]> {
  const dir = mkdtempSync(join(tmpdir(), "agent-pair-"));
  const path = join(dir, "s");
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  const a = net.connect(path);
  const b = await accepted;
  server.close();
  rmSync(dir, { recursive: true, force: true });
  a.on("error", () => {});
  b.on("error", () => {});
  return [a, b];
}

/**
 * Two real Unix socket pairs joined by a relay in the middle (host ⇄ relay ⇄ agent): backpressure
 * and half-close behave as on the docker exec socket, and the relay can freeze (a hung agent).
 */
export async function socketPairExec(): Promise<SocketPairExec> {
  const [hostEnd, relayHost] = await unixSocketPair();
  const [relayAgent, agentEnd] = await unixSocketPair();
  relayHost.pipe(relayAgent);
  relayAgent.pipe(relayHost);
  const agentStderr = new PassThrough();
  let resolveExited!: (value: { exitCode: number | null }) => void;
  const exited = new Promise<{ exitCode: number | null }>((resolve) => (resolveExited = resolve));
  hostEnd.once("close", () => resolveExited({ exitCode: null }));
  const all = [hostEnd, relayHost, relayAgent, agentEnd];
  return {
    agentEnd,
    agentStderr,
    exec: { stdin: hostEnd, stdout: hostEnd, stderr: agentStderr, exited, resize: () => Promise.resolve(), detach: () => hostEnd.destroy() },
    exit(code = 0) {
      for (const s of all) s.destroy();
      agentStderr.end();
      resolveExited({ exitCode: code });
    },
    stall() {
      relayHost.unpipe(relayAgent);
      relayAgent.unpipe(relayHost);
      relayHost.pause();
      relayAgent.pause();
    },
    cleanup() {
      for (const s of all) s.destroy();
    },
  };
}
