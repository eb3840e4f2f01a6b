// TCP through a container's agent (issue 11): a forwarded connection (NetService.Forward: one
// HTTP/2 stream per TCP connection to 127.0.0.1:<port> inside) and a listener (Listen/Accepted:
// the agent accepts on a port inside, and each connection comes to us as a stream of its own).
// Containers have no network, so this is the only way in or out, and it reaches only the
// container's own loopback. The agent is hostile: its messages are capped by the connection
// (readMaxBytes), each stream has its own flow-control window (a slow reader stalls its own
// stream, never the others), and whatever it does ends one socket with an error, never the server.
import { Duplex } from "node:stream";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { AgentConnection } from "./agent/agent-connection";
import { agentText } from "./agent/agent-errors";
import type { AcceptedRequestSchema, ForwardRequestSchema } from "./agent/gen/pantheon/agent/v1/agent_pb";
import { SandboxError } from "./errors";

/** Bytes per message we send (the agent reads 32 KiB at a time the other way). */
const MESSAGE_BYTES = 32 * 1024;
/** How long the agent may take to say whether it connected (it dials with a 5 s timeout itself). */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long the agent may take to say it listens. */
const LISTEN_TIMEOUT_MS = 10_000;
/** A connection id is 24 hex digits; anything longer is not the agent we built. */
const MAX_CONNECTION_ID = 64;

/** Nothing accepts connections on the port inside the container (or the container is not running). */
export class NothingListeningError extends SandboxError {
  constructor(
    readonly port: number,
    why = `nothing listening on port ${port}`,
  ) {
    super("BAD_REQUEST", why);
  }
}

/** Who is told about traffic (the engine keeps a lease's idle clocks with it). */
export interface SocketActivity {
  /** Bytes written toward the container. */
  input?: () => void;
  /** Bytes received from the container. */
  output?: () => void;
}

export interface AgentSocketOptions {
  /** The port inside, for logs and node:http (remotePort). */
  port: number;
  /** Aborted when the container is lost or released: the socket ends with its reason at once. */
  lost?: AbortSignal;
  activity?: SocketActivity;
}

type Written = () => void;

/**
 * One listener per lease's `died` signal, fanned out to its sockets: a busy preview or egress
 * path has many sockets on one lease, and an AbortSignal warns past ten listeners.
 */
const lostWatchers = new WeakMap<AbortSignal, Set<() => void>>();

function watchLost(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = lostWatchers.get(signal);
  if (!callbacks) {
    const fresh = new Set<() => void>();
    callbacks = fresh;
    lostWatchers.set(signal, fresh);
    signal.addEventListener(
      "abort",
      () => {
        for (const call of [...fresh]) call();
        fresh.clear();
      },
      { once: true },
    );
  }
  callbacks.add(callback);
  const mine = callbacks;
  return () => void mine.delete(callback);
}

/**
 * The request side of a bidi call as an async iterable we push into. A writer is called back
 * when connect-node asks for the next message, which it does only after the previous one's
 * HTTP/2 write completed: the agent's flow-control window paces our writes.
 */
class Outbox<T> {
  private readonly queue: { value: T; written: Written }[] = [];
  private wake: (() => void) | null = null;
  private inFlight: Written | null = null;
  private ended = false;

  push(value: T, written: Written): void {
    if (this.ended) return written();
    this.queue.push({ value, written });
    this.wake?.();
  }

  /** No more messages after those queued (half-close toward the container). */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  /** The call is over: queued messages are dropped and every waiting writer is released. */
  drop(): void {
    this.ended = true;
    for (const item of this.queue.splice(0)) item.written();
    this.release();
    this.wake?.();
  }

  private release(): void {
    const written = this.inFlight;
    this.inFlight = null;
    written?.();
  }

  async *messages(): AsyncGenerator<T> {
    try {
      for (;;) {
        this.release();
        while (!this.queue.length && !this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        const next = this.queue.shift();
        if (!next) return;
        this.inFlight = next.written;
        yield next.value;
      }
    } finally {
      this.drop();
    }
  }
}

/**
 * One TCP connection inside a container, carried by one agent stream. Shaped like a socket for
 * node:http (setTimeout, setKeepAlive, ref/unref, remoteAddress), so an http.Agent can pool it
 * and an http.Server can serve it. The container's end of the connection closing ends the stream
 * (the agent carries no half-close that way): the readable side ends, and later writes fail.
 */
export class AgentSocket<Req> extends Duplex {
  readonly remoteAddress = "127.0.0.1";
  readonly remotePort: number;
  /** node:http reads it when deciding whether to call setTimeout again. */
  timeout = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private idleMs = 0;
  private received = false;
  private remoteEnded = false;
  private wantRead: (() => void) | null = null;
  private readonly unwatchLost: () => void;
  private markStreamDone!: () => void;
  /** Resolves when the agent stream is over (the connection inside is closed), whatever ended it. */
  readonly streamDone = new Promise<void>((resolve) => (this.markStreamDone = resolve));

  constructor(
    private readonly outbox: Outbox<Req>,
    private readonly call: AbortController,
    private readonly responses: AsyncIterator<Uint8Array>,
    private readonly encode: (data: Uint8Array) => Req,
    private readonly options: AgentSocketOptions,
  ) {
    // The container's side ending means the agent closed the connection inside (it carries no
    // half-close that way): once its data is read, this socket closes too, so a server using it
    // (the egress proxy) lets go of it at once instead of holding a connection slot.
    super({ allowHalfOpen: false });
    this.remotePort = options.port;
    // An error after its user let go of this socket must not be an uncaught exception.
    this.on("error", () => {});
    const onLost = () => {
      const reason: unknown = options.lost?.reason;
      this.destroy(reason instanceof Error ? reason : new SandboxError("CONTAINER_LOST", "the sandbox is gone"));
    };
    this.unwatchLost = () => {};
    if (options.lost?.aborted) queueMicrotask(onLost);
    else if (options.lost) this.unwatchLost = watchLost(options.lost, onLost);
    this.once("finish", () => this.closeIfSpent());
    void this.pump().finally(() => this.markStreamDone());
  }

  /** Whether any byte came back from the container (a request that got none may be retried). */
  get answered(): boolean {
    return this.received;
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const next = await this.responses.next();
        if (next.done || this.destroyed) break;
        if (!next.value.length) continue;
        this.received = true;
        this.touch();
        this.options.activity?.output?.();
        // Copied: the message's buffer may be a view of a larger one we must not pin.
        if (!this.push(Buffer.from(next.value))) await new Promise<void>((resolve) => (this.wantRead = resolve));
        if (this.destroyed) break;
      }
      if (this.destroyed) return void this.responses.return?.();
      this.remoteEnded = true;
      // Nothing more can be written on a finished call: writers waiting on it are released.
      this.outbox.drop();
      this.push(null);
      this.closeIfSpent();
    } catch (err) {
      this.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * Closes once nothing can happen either way: the container's side is over, ours is ended, and
   * nothing received waits unread. A user that stopped reading (a server that handed the socket
   * off after answering a CONNECT) would otherwise never see 'end', and the socket would linger.
   */
  private closeIfSpent(): void {
    if (this.remoteEnded && this.writableFinished && this.readableLength === 0 && !this.destroyed) this.destroy();
  }

  override _read(): void {
    const wake = this.wantRead;
    this.wantRead = null;
    wake?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.remoteEnded) return callback(new Error(`the connection to port ${this.remotePort} was closed in the container`));
    this.touch();
    this.options.activity?.input?.();
    if (!chunk.length) return callback();
    for (let at = 0; at < chunk.length; at += MESSAGE_BYTES) {
      const last = at + MESSAGE_BYTES >= chunk.length;
      this.outbox.push(this.encode(chunk.subarray(at, at + MESSAGE_BYTES)), last ? () => callback() : () => {});
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    // Ending the request stream is the half-close: the agent shuts the connection's write side.
    this.outbox.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.clearIdle();
    this.unwatchLost();
    // RST_STREAM (CANCEL): the agent closes the connection inside.
    this.call.abort();
    this.outbox.drop();
    const wake = this.wantRead;
    this.wantRead = null;
    wake?.();
    callback(error);
  }

  // ---- the parts of net.Socket that node:http's client, server and Agent call ----

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

/** Resolves with the iterator's first result, or rejects after `ms` / when `signal` aborts. */
async function firstOf<T>(it: AsyncIterator<T>, ms: number, what: string, signal?: AbortSignal): Promise<IteratorResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      it.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SandboxError("TIMEOUT", `${what} did not answer within ${ms} ms`)), ms);
        onAbort = () => reject(new SandboxError("CANCELLED", `${what} was cancelled`));
        if (signal?.aborted) onAbort();
        else signal?.addEventListener("abort", onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}

function mapData<T extends { data: Uint8Array }>(it: AsyncIterator<T>): AsyncIterator<Uint8Array> {
  return {
    next: async () => {
      const r = await it.next();
      return r.done ? { done: true, value: undefined } : { done: false, value: r.value.data };
    },
    return: async () => {
      await it.return?.();
      return { done: true, value: undefined };
    },
  };
}

type ForwardInit = MessageInitShape<typeof ForwardRequestSchema>;
type AcceptedInit = MessageInitShape<typeof AcceptedRequestSchema>;

export interface ForwardOptions {
  /** Gives up opening (not the open connection). */
  signal?: AbortSignal;
  lost?: AbortSignal;
  activity?: SocketActivity;
}

/** How `connected` ends: settled once, by whichever comes first. */
type Settle = { resolve: () => void; reject: (err: Error) => void };

/** A forwarded connection handed out before the agent said it connected; `connected` says how that went. */
export interface OpeningSocket {
  socket: AgentSocket<ForwardInit>;
  /** Resolves on the agent's "connected"; rejects (and the socket ends) with NothingListeningError, CONTAINER_LOST, TIMEOUT, … */
  connected: Promise<void>;
}

/**
 * Opens a TCP connection to 127.0.0.1:<port> inside the agent's container and returns its socket at
 * once, before the agent answers: what is written now leaves right behind the request that names
 * the port, and the agent passes it on once its dial succeeds (it reads the stream only then; the
 * HTTP/2 window holds what came early). A new preview connection so saves one round trip to the
 * agent, its costliest part under gVisor. A failed dial ends the socket with NothingListeningError,
 * which node:http reports as the request's error, as it did a failed connect.
 */
export function openForward(agent: AgentConnection, port: number, options: Omit<ForwardOptions, "signal"> = {}): OpeningSocket {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SandboxError("BAD_REQUEST", `bad port ${port}`);
  const outbox = new Outbox<ForwardInit>();
  const call = new AbortController();
  outbox.push({ port }, () => {});
  const responses = agent.net.forward(outbox.messages(), { signal: call.signal, timeoutMs: 0 })[Symbol.asyncIterator]();
  let settle!: Settle;
  const connected = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // Rejections are also the socket's error; a caller that does not wait for `connected` sees them there.
  connected.catch(() => {});
  const socket = new AgentSocket(outbox, call, afterConnected(responses, port, settle), (data) => ({ data }), { port, ...pick(options) });
  // Whatever ended the socket first (its user, the container's loss) also ends the wait.
  socket.once("close", () => settle.reject(new SandboxError("CANCELLED", `the connection to port ${port} was closed before it opened`)));
  return { socket, connected };
}

/**
 * The Forward answers as the socket's data: the first must be "connected" (within
 * CONNECT_TIMEOUT_MS), and the agent's UNAVAILABLE there means nothing listens.
 */
function afterConnected(responses: AsyncIterator<{ connected: boolean; data: Uint8Array }>, port: number, settle: Settle): AsyncIterator<Uint8Array> {
  let opened = false;
  const open = async (): Promise<Uint8Array> => {
    let first: IteratorResult<{ connected: boolean; data: Uint8Array }>;
    try {
      first = await firstOf(responses, CONNECT_TIMEOUT_MS, `the connection to port ${port}`);
    } catch (err) {
      // The agent answers UNAVAILABLE when its dial fails; its own words are not passed on.
      const failure =
        err instanceof SandboxError && "rpcCode" in err && err.rpcCode === "unavailable" && err.code !== "CONTAINER_LOST"
          ? new NothingListeningError(port)
          : err instanceof Error
            ? err
            : new Error(String(err));
      settle.reject(failure);
      throw failure;
    }
    if (first.done || !first.value.connected) {
      const violation = new SandboxError("INTERNAL", `agent NetService.Forward: agent protocol violation: no "connected" answer for port ${port}`);
      settle.reject(violation);
      throw violation;
    }
    settle.resolve();
    // Data in the first answer (the agent sends none, but may): delivered first.
    return first.value.data;
  };
  const data = mapData(responses);
  return {
    next: async () => {
      if (opened) return data.next();
      opened = true;
      const early = await open();
      return early.length ? { done: false, value: early } : data.next();
    },
    return: async () => data.return?.() ?? { done: true, value: undefined },
  };
}

/**
 * Opens a TCP connection to 127.0.0.1:<port> inside the agent's container and resolves once the
 * agent connected. Rejects with NothingListeningError when nothing accepts there, with the agent's
 * death (CONTAINER_LOST) when it is gone; once open, the socket ends with an error if the agent
 * dies mid-connection.
 */
export async function forwardPort(agent: AgentConnection, port: number, options: ForwardOptions = {}): Promise<AgentSocket<ForwardInit>> {
  const { signal, ...rest } = options;
  const { socket, connected } = openForward(agent, port, rest);
  const onAbort = () => socket.destroy(new SandboxError("CANCELLED", `the connection to port ${port} was cancelled`));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await connected;
  } catch (err) {
    socket.destroy();
    // The socket's own error (the cancel above) is the more exact reason than "closed before it opened".
    throw socket.errored ?? err;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  return socket;
}

function pick(options: ForwardOptions): Pick<AgentSocketOptions, "lost" | "activity"> {
  return { ...(options.lost ? { lost: options.lost } : {}), ...(options.activity ? { activity: options.activity } : {}) };
}

export interface ListenOptions {
  /** Connections served at once; one more is left unclaimed (the agent closes it after 10 s). */
  maxConnections: number;
  signal?: AbortSignal;
  lost?: AbortSignal;
  activity?: SocketActivity;
  /** Told about a connection that could not be claimed, or a refused one (logs). */
  onRefused?: (why: string) => void;
}

export interface AgentListener {
  /** Resolves when the listener is gone: null after close(), else why it ended. */
  readonly closed: Promise<Error | null>;
  /** Connections being served. */
  readonly connections: number;
  /** Stops listening (the agent closes the port) and ends every connection it accepted. */
  close(): Promise<void>;
}

/**
 * Has the agent listen on 127.0.0.1:<port> inside its container and hands each accepted
 * connection to `onConnection` as a socket. Resolves once the
 * port is bound; rejects with the reason when it cannot be (taken by the sandbox's own code).
 */
export async function listenThroughAgent(
  agent: AgentConnection,
  port: number,
  onConnection: (socket: AgentSocket<AcceptedInit>) => void,
  options: ListenOptions,
): Promise<AgentListener> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SandboxError("BAD_REQUEST", `bad port ${port}`);
  const call = new AbortController();
  const events = agent.net.listen({ port }, { signal: call.signal, timeoutMs: 0 })[Symbol.asyncIterator]();
  let first: IteratorResult<{ listening: boolean; connectionId: string }>;
  try {
    first = await firstOf(events, LISTEN_TIMEOUT_MS, `listening on port ${port}`, options.signal);
  } catch (err) {
    call.abort();
    // FAILED_PRECONDITION: the bind failed (the sandbox's code took the port first).
    if (err instanceof SandboxError && "rpcCode" in err && err.rpcCode === "failed_precondition") {
      throw new SandboxError("INTERNAL", `cannot listen on port ${port} in the container (already in use?)`, { cause: err });
    }
    throw err;
  }
  if (first.done || !first.value.listening) {
    call.abort();
    throw new SandboxError("INTERNAL", `agent NetService.Listen: agent protocol violation: no "listening" answer for port ${port}`);
  }
  const sockets = new Set<AgentSocket<AcceptedInit>>();
  let stopped = false;
  const claim = (connectionId: string) => {
    const outbox = new Outbox<AcceptedInit>();
    const accepted = new AbortController();
    outbox.push({ connectionId }, () => {});
    const responses = agent.net.accepted(outbox.messages(), { signal: accepted.signal, timeoutMs: 0 })[Symbol.asyncIterator]();
    const socket = new AgentSocket(outbox, accepted, mapData(responses), (data) => ({ data }), { port, ...pick(options) });
    sockets.add(socket);
    // The slot is the agent stream's: free once it is over, even if its user holds the socket on.
    void socket.streamDone.then(() => sockets.delete(socket));
    onConnection(socket);
  };
  const closed = (async (): Promise<Error | null> => {
    try {
      for (;;) {
        const next = await events.next();
        if (next.done) return stopped ? null : new Error(`the agent stopped listening on port ${port}`);
        const id = next.value.connectionId;
        if (!id || id.length > MAX_CONNECTION_ID)
          throw new SandboxError("INTERNAL", `agent NetService.Listen: agent protocol violation: bad connection id "${agentText(id, 16)}"`);
        if (sockets.size >= options.maxConnections) {
          options.onRefused?.(`more than ${options.maxConnections} connections at once`);
          continue;
        }
        claim(id);
      }
    } catch (err) {
      return stopped ? null : err instanceof Error ? err : new Error(String(err));
    } finally {
      call.abort();
      for (const socket of sockets) socket.destroy();
    }
  })();
  return {
    closed,
    get connections() {
      return sockets.size;
    },
    close: async () => {
      stopped = true;
      call.abort();
      await closed;
      await portReleased(agent, port);
    },
  };
}

const RELEASE_PROBES = 20;
const RELEASE_PROBE_GAP_MS = 5;

/**
 * Waits until a connection to the port is refused. The agent closes its listener when it sees the
 * Listen stream cancelled, on a goroutine of its own, and node sends that cancel a turn later: a
 * run started right after close() (over the fast socket transport, within a millisecond) could
 * still reach the closing port. Its connection went nowhere, but "back to none closes the port"
 * must hold when close() resolves. Bounded: a port sandbox code took at once stays taken.
 */
async function portReleased(agent: AgentConnection, port: number): Promise<void> {
  for (let i = 0; i < RELEASE_PROBES && !agent.isDead; i++) {
    try {
      (await forwardPort(agent, port)).destroy();
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, RELEASE_PROBE_GAP_MS));
  }
}
