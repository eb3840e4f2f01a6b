import { once } from "node:events";
import type { WebSocket } from "ws";
import { parseShellClientMessage, SHELL_CLOSE, type ShellExitReason, type ShellServerMessage } from "@/lib/shell-protocol";
import type { Logger } from "pino";
import type { OpenShell } from "@/server/services/terminal/shell-service";
import { getShellRegistry } from "@/server/services/terminal/shell-registry";

export interface ShellSessionOptions {
  idleMs: number;
  /** How often the socket is pinged; a browser that misses a whole interval is gone. */
  heartbeatMs?: number;
  /** How often the session checks that the shell's container still exists. */
  containerCheckMs?: number;
  log: Logger;
}

// Output waits while the browser's socket holds this much unsent; input waits while the PTY does.
const OUTPUT_HIGH_WATER = 1 << 20;
const INPUT_HIGH_WATER = 1 << 20;
const SYNC_AFTER_ENTER_MS = 1_500;

const EXIT_MESSAGE: Record<ShellExitReason, string> = {
  exited: "The shell exited.",
  idle: "The shell was closed after being idle.",
  container: "The shell's container stopped (it was released, ran out of memory, or the sandbox restarted).",
  shutdown: "The server is restarting; the shell was closed.",
};

const send = (ws: WebSocket, message: ShellServerMessage) => {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
};

/**
 * Bridges one browser WebSocket and one shell process: keystrokes in, PTY output out (both
 * raw bytes, with backpressure both ways), resize messages to the PTY. It ends, telling the
 * browser why, when the shell exits or its container dies, after `idleMs` without input, on
 * server shutdown, or when the browser goes away (which kills the shell).
 */
export function runShellSession(ws: WebSocket, shell: OpenShell, options: ShellSessionOptions): void {
  const { process: proc } = shell;
  const log = options.log.child({ component: "shell", pid: proc.pid });
  let ended = false;
  let idleTimer: NodeJS.Timeout | undefined;
  let alive = true;

  const resetIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => end("idle", null), options.idleMs);
  };

  // Docker does not always end a tty exec's stream when its container is destroyed (seen under
  // gVisor), so the session also watches the container itself.
  const containerWatch = setInterval(() => {
    if (shell.containerGone()) end("container", null);
  }, options.containerCheckMs ?? 2_000);

  const heartbeat = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, options.heartbeatMs ?? 30_000);
  ws.on("pong", () => (alive = true));

  // PTY → browser, pausing while the socket is backed up.
  let drainTimer: NodeJS.Timeout | undefined;
  proc.stdout.on("data", (chunk: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(chunk, { binary: true });
    if (ws.bufferedAmount > OUTPUT_HIGH_WATER && !drainTimer) {
      proc.stdout.pause();
      drainTimer = setInterval(() => {
        if (ws.bufferedAmount > OUTPUT_HIGH_WATER / 4 && ws.readyState === ws.OPEN) return;
        clearInterval(drainTimer);
        drainTimer = undefined;
        proc.stdout.resume();
      }, 20);
    }
  });

  // Files written from the shell reach the store (and the IDE's tree) shortly after each Enter.
  let syncTimer: NodeJS.Timeout | undefined;
  const syncSoon = () => {
    clearTimeout(syncTimer);
    syncTimer = setTimeout(() => void shell.syncFiles(), SYNC_AFTER_ENTER_MS);
  };

  // Browser → PTY: bytes are keystrokes, text is a control message.
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    if (ended) return;
    resetIdle();
    if (isBinary) {
      if (data.includes(0x0d)) syncSoon();
      if (!proc.stdin.write(data) && proc.stdin.writableLength > INPUT_HIGH_WATER) {
        ws.pause();
        proc.stdin.once("drain", () => ws.resume());
      }
      return;
    }
    const message = parseShellClientMessage(data.toString("utf8"));
    if (message?.type === "resize") {
      proc.resize(message.cols, message.rows).catch((err: unknown) => log.debug({ err }, "resize failed"));
    }
  });

  const untrack = getShellRegistry().track({ close: (reason) => end(reason, null) });

  function finish() {
    clearTimeout(idleTimer);
    clearTimeout(syncTimer);
    void shell.syncFiles();
    clearInterval(heartbeat);
    clearInterval(containerWatch);
    clearInterval(drainTimer);
    untrack();
    shell.release();
  }

  /** Ends the session once: says why, then kills the shell (unless it already exited) and closes. */
  function end(reason: ShellExitReason, exitCode: number | null) {
    if (ended) return;
    ended = true;
    finish();
    const message = reason === "exited" && exitCode !== null ? `The shell exited with code ${exitCode}.` : EXIT_MESSAGE[reason];
    send(ws, { type: "exit", reason, exitCode, message });
    log.info({ reason, exitCode }, "shell session ended");
    // Also after an exit or a container death: kill() then drops a stream left hanging.
    void proc.kill();
    ws.close(SHELL_CLOSE[reason], reason);
  }

  void proc.exited.then(async ({ exitCode }) => {
    if (ended) return;
    // Output still in flight is delivered before the exit notice.
    if (!proc.stdout.readableEnded) await Promise.race([once(proc.stdout, "end"), new Promise((r) => setTimeout(r, 500))]).catch(() => {});
    // A shell killed by a signal may have gone down with its container: let the pool notice first.
    if (exitCode !== null && exitCode >= 128) await new Promise((r) => setTimeout(r, 300));
    if (ended) return;
    end(exitCode === null || shell.containerGone() ? "container" : "exited", exitCode);
  });

  ws.on("close", () => {
    if (ended) return;
    ended = true;
    finish();
    log.info("browser closed the shell");
    void proc.kill();
  });
  ws.on("error", (err) => log.debug({ err }, "shell socket error"));

  resetIdle();
  send(ws, { type: "ready", idleMs: options.idleMs });
}
