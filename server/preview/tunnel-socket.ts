import { Duplex, type Readable, type Writable } from "node:stream";

/** What the tunnel needs of a process spawned in the container (engine.spawn's SandboxProcess fits). */
export interface TunnelProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<{ exitCode: number | null }>;
  kill(): Promise<void>;
}

/** The in-container connector failed: nothing listens on the port, or the container went away. */
export class TunnelError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = "TunnelError";
  }
}

const STDERR_KEEP = 1024;
/** After we hang up, how long the connector may take to notice before it is killed. */
const HANGUP_GRACE_MS = 2_000;

/**
 * One TCP connection to a port inside a project's container, carried by the connector process's
 * stdin/stdout (`pantheon-tunnel connect <port>` run through engine.spawn). Shaped like a socket
 * for node:http's client (setTimeout, setKeepAlive, ref/unref), so an http.Agent can pool it.
 *
 * End of stream is only passed on once the connector's exit status is known: a connector that
 * failed to connect exits non-zero, and the HTTP client must see that as an error carrying its
 * message ("nothing listening on port N"), not as a server that closed the connection.
 */
export class TunnelSocket extends Duplex {
  private stderrText = "";
  private exitCode: number | null | undefined = undefined;
  private idleTimer: NodeJS.Timeout | null = null;
  private idleMs = 0;
  private received = false;
  readonly remoteAddress = "127.0.0.1";
  readonly remotePort: number;
  /** node:http reads it when deciding whether to call setTimeout again. */
  timeout = 0;

  constructor(
    private readonly process: TunnelProcess,
    port: number,
  ) {
    // Like net.Socket: when the server hangs up, our side ends too, so a pooled socket closes.
    super({ allowHalfOpen: false });
    this.remotePort = port;
    process.stdout.on("data", (chunk: Buffer) => {
      this.received = true;
      this.touch();
      if (!this.push(chunk)) process.stdout.pause();
    });
    process.stdout.on("error", (err) => this.destroy(err));
    process.stdin.on("error", () => {
      // The connector exited while we were writing: the exit status explains it.
    });
    process.stderr.on("data", (chunk: Buffer) => {
      if (this.stderrText.length < STDERR_KEEP) this.stderrText += chunk.toString("utf8").slice(0, STDERR_KEEP - this.stderrText.length);
    });
    // An error after the HTTP client let go of this socket must not be an uncaught exception.
    this.on("error", () => {});
    let stdoutEnded = false;
    const settle = () => {
      if (!stdoutEnded || this.exitCode === undefined || this.destroyed) return;
      // null: the status is unknown (the container went away); the HTTP client sees EOF and
      // judges the response by its own framing.
      if (this.exitCode === 0 || this.exitCode === null) this.push(null);
      else this.destroy(this.failure());
    };
    process.stdout.on("end", () => {
      stdoutEnded = true;
      settle();
    });
    void process.exited.then(({ exitCode }) => {
      this.exitCode = exitCode;
      // A connector that failed may leave stdout unread: its status alone decides.
      if (exitCode !== 0 && exitCode !== null) stdoutEnded = true;
      settle();
    });
  }

  /** Whether any byte came back from the server (a request that got none may be retried). */
  get answered(): boolean {
    return this.received;
  }

  private failure(): TunnelError {
    // The connector's last line, without its program-name prefix: "nothing listening on port N".
    const said = this.stderrText
      .trim()
      .split("\n")
      .pop()
      ?.trim()
      .replace(/^pantheon-tunnel:\s*/, "");
    return new TunnelError(said || `the connector exited with status ${this.exitCode}`, this.exitCode ?? null);
  }

  override _read(): void {
    this.process.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.touch();
    if (this.process.stdin.write(chunk)) callback();
    else this.process.stdin.once("drain", () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.process.stdin.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.clearIdle();
    if (this.exitCode === undefined) {
      // Hang up: EOF lets the connector close the connection cleanly; a stuck one is killed.
      this.process.stdin.end();
      const timer = setTimeout(() => void this.process.kill().catch(() => {}), HANGUP_GRACE_MS);
      timer.unref();
      void this.process.exited.then(() => clearTimeout(timer));
    }
    this.process.stdout.resume(); // drain what is left so the exec stream can finish
    callback(error);
  }

  // ---- the parts of net.Socket that node:http's client and Agent call ----

  /** Emits "timeout" after `ms` without traffic either way (0 disables), as net.Socket does. */
  setTimeout(ms: number, callback?: () => void): this {
    this.timeout = ms;
    this.idleMs = ms;
    // As net.Socket: a callback with 0 is removed, not added (node:http does this per request).
    if (callback && ms === 0) this.removeListener("timeout", callback);
    else if (callback) this.once("timeout", callback);
    this.touch();
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  private touch(): void {
    this.clearIdle();
    if (this.idleMs > 0 && !this.destroyed) {
      this.idleTimer = setTimeout(() => this.emit("timeout"), this.idleMs);
      this.idleTimer.unref();
    }
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
