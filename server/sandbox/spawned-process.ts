import type { Readable, Writable } from "node:stream";

/** How a long-lived process ended. */
export interface SpawnExit {
  /** The exit code (128 + n for a death by signal n); null when the process's end was not seen. */
  exitCode: number | null;
  /** Set with exitCode null: why (its container was released, its agent died, the engine stopped following it). */
  reason?: string;
}

/** A long-lived process in a project's container (shell, dev server, tunnel). */
export interface SandboxProcess {
  /** In-container pid of the root process. */
  readonly pid: number;
  /** end() = EOF for the process (^D with a tty). */
  readonly stdin: Writable;
  /** With a tty, everything the process writes. */
  readonly stdout: Readable;
  /** Empty with a tty. */
  readonly stderr: Readable;
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves when the process exits or its container dies. */
  readonly exited: Promise<SpawnExit>;
  /** Kills the process and its descendants; resolves once it has exited (or after a grace period). */
  kill(): Promise<void>;
}
