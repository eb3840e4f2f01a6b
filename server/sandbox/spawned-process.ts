import { PassThrough, Transform, type Readable, type Writable } from "node:stream";
import type { AttachedExec } from "./driver";
import { SandboxError } from "./errors";

/** A long-lived process in a project's container (shell, dev server, tunnel). */
export interface SandboxProcess {
  /** In-container pid of the root process. */
  readonly pid: number;
  /** end() = EOF for the process. */
  readonly stdin: Writable;
  /** With a tty, everything the process writes. */
  readonly stdout: Readable;
  /** Empty with a tty. */
  readonly stderr: Readable;
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves when the process exits or its container dies. */
  readonly exited: Promise<{ exitCode: number | null }>;
  /** Kills the process and its descendants; resolves once it has exited (or after a grace period). */
  kill(): Promise<void>;
}

const PID_LINE_MAX = 64;

/**
 * Reads the spawn script's first line ("P<pid>\n", "\r\n" with a tty) off the output, leaving
 * everything after it in the stream for the caller.
 */
export function readPidLine(stdout: Readable, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = Buffer.alloc(0);
    const cleanup = () => {
      clearTimeout(timer);
      stdout.off("readable", onReadable);
      stdout.off("end", onEnd);
    };
    const fail = (message: string) => {
      cleanup();
      reject(new SandboxError("INTERNAL", message));
    };
    const onEnd = () => fail("the process exited before it started");
    const timer = setTimeout(() => fail("the process did not start in time"), timeoutMs);
    const onReadable = () => {
      let chunk: Buffer | null;
      while ((chunk = stdout.read() as Buffer | null) !== null) {
        seen = Buffer.concat([seen, chunk]);
        const end = seen.indexOf(0x0a);
        if (end < 0) {
          if (seen.length > PID_LINE_MAX) return fail("unexpected output before the process started");
          continue;
        }
        const line = seen.subarray(0, end).toString("latin1").trim();
        const rest = seen.subarray(end + 1);
        cleanup();
        if (rest.length) stdout.unshift(rest);
        const match = /^P(\d+)$/.exec(line);
        if (!match?.[1]) return reject(new SandboxError("INTERNAL", `unexpected spawn output ${JSON.stringify(line.slice(0, 40))}`));
        return resolve(Number(match[1]));
      }
    };
    stdout.on("readable", onReadable);
    stdout.once("end", onEnd);
    onReadable();
  });
}

/** Pipes through, calling `touch` per chunk: keeps the container's idle clock honest without breaking backpressure. */
export function touching(touch: () => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, callback) {
      touch();
      callback(null, chunk);
    },
  });
}

/**
 * Wraps an attached exec's streams so traffic counts as container activity: input as a user
 * action, output as output (which keeps a container only up to the unattended ceiling).
 */
export function withActivity(
  attached: AttachedExec,
  touch: { input: () => void; output: () => void },
): { stdin: Writable; stdout: Readable; stderr: Readable } {
  const stdin = touching(touch.input);
  stdin.pipe(attached.stdin);
  const stdout = attached.stdout.pipe(touching(touch.output));
  const stderr = attached.stderr.pipe(new PassThrough());
  return { stdin, stdout, stderr };
}
