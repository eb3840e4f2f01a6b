import { setMaxListeners } from "node:events";
import * as http2 from "node:http2";
import type { Duplex } from "node:stream";
import { Code, ConnectError, createClient, type CallOptions, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import type { AttachedExec, SandboxDriver } from "../driver";
import { SandboxError } from "../errors";
import { AGENT_BINARY } from "../sandbox-exec";
import { forwardAgentLog, type AgentLogForwarder, type AgentLogLimits } from "./agent-log";
import { agentText, toAgentCallError } from "./agent-errors";
import { AgentService, FileService, NetService, ProcessService, StatsService, type HelloResponse } from "./gen/pantheon/agent/v1/agent_pb";
import { AGENT_SOCKET_IN_CONTAINER, AgentSocketListener } from "./agent-socket";
import { StdioDuplex } from "./stdio-duplex";

// One pantheon-agent per container, spoken to over ONE attached `docker exec` (its stdin and
// stdout, no TTY) carrying HTTP/2 without TLS. The agent runs inside the sandbox, so everything
// it sends is treated as hostile: message and header sizes are capped, the flow-control windows
// bound what it can make us buffer, every call has a deadline, and whatever it does ends as an
// AgentCallError on that call, never as an exception outside it.

export const AGENT_COMMAND = [AGENT_BINARY, "serve", "--stdio"];
/** The origin every call names; the stream goes to the one agent whatever it says. */
const AUTHORITY = "http://agent";

const KiB = 1024;
const MiB = 1024 * KiB;

export interface AgentConnectionOptions {
  log: Logger;
  /** How long the agent has to answer Hello after its exec starts (runsc boots slower). */
  helloTimeoutMs?: number;
  /** Liveness: a PING every pingIntervalMs; no answer within pingTimeoutMs means the agent is dead. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** Deadline of a call that names none; pass timeoutMs 0 for a stream that lives as long as the lease (Watch). */
  callTimeoutMs?: number;
  /** Largest message the agent may send (decoded envelope), bytes. */
  readMaxBytes?: number;
  /** Largest message we send, bytes. */
  writeMaxBytes?: number;
  /** Calls open at once on this connection; one more fails at once (never queues). */
  maxConcurrentStreams?: number;
  /** What the agent may have in flight toward us: per stream, and over the whole connection. */
  streamWindowBytes?: number;
  connectionWindowBytes?: number;
  logLimits?: AgentLogLimits;
  /**
   * A host directory bind-mounted read-only at AGENT_SOCKET_MOUNT (agent-socket.ts): the engine
   * listens there, the agent dials in, and calls go over that socket instead of the exec's pipes.
   * Without it, or when the agent does not connect, everything goes over stdio.
   */
  socketDir?: string | null;
}

/** How long after its Hello on stdio the agent's socket connection may take to arrive (it dials before serving stdio). */
const SOCKET_WAIT_MS = 1_000;

/** Which stream the calls go over. */
export type AgentTransport = "stdio" | "socket";

const DEFAULTS = {
  helloTimeoutMs: 10_000,
  pingIntervalMs: 250,
  pingTimeoutMs: 500,
  callTimeoutMs: 30_000,
  // Output events carry ≤ 64 KiB, reads ≤ 256 KiB; listings and watch batches are split by the
  // agent below this.
  readMaxBytes: 4 * MiB,
  writeMaxBytes: 16 * MiB,
  maxConcurrentStreams: 256,
  streamWindowBytes: 1 * MiB,
  connectionWindowBytes: 16 * MiB,
} satisfies Omit<Required<AgentConnectionOptions>, "log" | "logLimits" | "socketDir">;

export interface AgentDeath {
  /** Why the connection ended, for logs and for the execution's error. */
  reason: string;
  /** The error every call in flight (and every later call) fails with. */
  error: SandboxError;
  at: number;
  /** close() ended it (the engine's decision), not the agent, its exec or its container. */
  closed: boolean;
}

export class AgentConnection {
  readonly process: Client<typeof ProcessService>;
  readonly files: Client<typeof FileService>;
  readonly net: Client<typeof NetService>;
  readonly stats: Client<typeof StatsService>;
  readonly agent: Client<typeof AgentService>;
  /** Resolves (never rejects) when the agent, its exec or its container is gone, or on close(). */
  readonly dead: Promise<AgentDeath>;
  hello: HelloResponse | null = null;

  /** Whether this agent's Hello lists an optional behaviour (agent.proto HelloResponse.features). */
  supports(feature: string): boolean {
    return this.hello?.features.includes(feature) ?? false;
  }

  private death: AgentDeath | null = null;
  private resolveDead!: (death: AgentDeath) => void;
  private readonly deathController = new AbortController();
  /** The exec's stream: always there, it ties the agent's life to the exec. */
  private readonly stdioSession: http2.ClientHttp2Session;
  /** The agent's connection to the engine's socket, once adopted: then every call goes over it. */
  private socketSession: http2.ClientHttp2Session | null = null;
  private readonly pingTimer: NodeJS.Timeout;
  private pingSentAt = 0;
  private openStreams = 0;
  private readonly settings: typeof DEFAULTS;
  private readonly log: Logger;
  private readonly logForwarder: AgentLogForwarder;

  /** Starts the agent in the container and waits for its Hello. */
  static async start(driver: SandboxDriver, containerId: string, options: AgentConnectionOptions): Promise<AgentConnection> {
    let listener: AgentSocketListener | null = null;
    if (options.socketDir) {
      try {
        listener = await AgentSocketListener.open(options.socketDir);
      } catch (err) {
        options.log.warn({ containerId, err }, "agent socket not offered: calls go over the exec's stream");
      }
    }
    try {
      const started = (cmd: string[]) => driver.attach(containerId, { cmd, user: "0" }).then((exec) => AgentConnection.over(exec, containerId, options));
      if (!listener) return await started(AGENT_COMMAND);
      let connection: AgentConnection;
      try {
        connection = await started([...AGENT_COMMAND, "--dial", `unix:${AGENT_SOCKET_IN_CONTAINER}`]);
      } catch (err) {
        // Images older than the engine (their agent predates --dial, 0.2.0) still work, over stdio.
        if (!(err instanceof Error && err.message.includes("flag provided but not defined: -dial"))) throw err;
        options.log.warn({ containerId }, "the image's agent has no --dial (rebuild the images: npm run images): calls go over the exec's stream");
        return await started(AGENT_COMMAND);
      }
      await connection.adoptSocket(await listener.connection(SOCKET_WAIT_MS));
      return connection;
    } finally {
      // Connected or not, nothing else may connect: the socket and its directory go now.
      listener?.close();
    }
  }

  /** Speaks to an agent already started on `exec` (a container's exec, or a child process in tests). */
  static async over(exec: AttachedExec, containerId: string, options: AgentConnectionOptions): Promise<AgentConnection> {
    const connection = new AgentConnection(exec, containerId, options);
    try {
      connection.hello = await connection.agent.hello({}, { timeoutMs: connection.settings.helloTimeoutMs });
    } catch (err) {
      connection.close("no Hello from the agent");
      throw new SandboxError("CONTAINER_LOST", `agent of container ${containerId.slice(0, 12)} did not start: ${await connection.whyNoStart(err)}`, {
        cause: err,
      });
    }
    connection.log.debug({ agentVersion: agentText(connection.hello.version, 64), agentPid: connection.hello.pid }, "agent connected");
    return connection;
  }

  private constructor(
    private readonly exec: AttachedExec,
    readonly containerId: string,
    options: AgentConnectionOptions,
  ) {
    const { log, logLimits, socketDir: _socketDir, ...limits } = options;
    this.settings = { ...DEFAULTS, ...stripUndefined(limits) };
    this.log = log.child({ containerId });
    this.dead = new Promise((resolve) => (this.resolveDead = resolve));
    // Every call in flight on this connection listens for its death, and they are many by design
    // (runs, shells, forwards, the watch): not a leak, so no MaxListenersExceededWarning at 11.
    setMaxListeners(0, this.deathController.signal);
    this.logForwarder = forwardAgentLog(exec.stderr, this.log, logLimits);
    // Failures of the pipes show up as the session's; these keep a late EPIPE from being an
    // unhandled 'error' event (a crash of the server).
    exec.stdin.on("error", () => {});
    exec.stdout.on("error", () => {});

    const duplex = new StdioDuplex(exec.stdin, exec.stdout);
    duplex.on("error", (err) => this.die(`agent stream failed: ${err.message}`));
    duplex.on("close", () => this.die("agent stream closed"));
    this.stdioSession = this.openSession(duplex, () => true);
    exec.exited.then(
      ({ exitCode }) => this.die(`agent exited${exitCode === null ? "" : ` with code ${exitCode}`}`),
      () => this.die("agent exec failed"),
    );

    this.pingTimer = setInterval(() => this.ping(), this.settings.pingIntervalMs);
    this.pingTimer.unref();

    const transport = createConnectTransport({
      baseUrl: AUTHORITY,
      httpVersion: "2",
      sessionManager: {
        authority: AUTHORITY,
        request: (method, path, headers, requestOptions) => this.openStream(method, path, headers, requestOptions),
        notifyResponseByteRead: () => {},
      },
      readMaxBytes: this.settings.readMaxBytes,
      writeMaxBytes: this.settings.writeMaxBytes,
      // A compressed message would be inflated before its size is known: accept none.
      acceptCompression: [],
      defaultTimeoutMs: this.settings.callTimeoutMs,
      interceptors: [this.guard],
    });
    const deathError = () => this.deathErrorNow();
    this.process = guardClient(ProcessService, createClient(ProcessService, transport), deathError);
    this.files = guardClient(FileService, createClient(FileService, transport), deathError);
    this.net = guardClient(NetService, createClient(NetService, transport), deathError);
    this.stats = guardClient(StatsService, createClient(StatsService, transport), deathError);
    this.agent = guardClient(AgentService, createClient(AgentService, transport), deathError);
  }

  /**
   * An HTTP/2 client session over one of the agent's streams, with the same limits whichever it
   * is. Its failures are the agent's death while `current()` says it carries the calls.
   */
  private openSession(stream: Duplex, current: () => boolean): http2.ClientHttp2Session {
    const session = http2.connect(AUTHORITY, {
      createConnection: () => stream,
      // Frames the agent could use to make us hold memory or work: no server push, few headers,
      // few SETTINGS, few outstanding PINGs, and a ceiling on what nghttp2 may buffer.
      settings: {
        enablePush: false,
        initialWindowSize: this.settings.streamWindowBytes,
        maxHeaderListSize: 64 * KiB,
        maxConcurrentStreams: 0,
      },
      maxReservedRemoteStreams: 0,
      maxHeaderListPairs: 64,
      maxSettings: 16,
      maxOutstandingPings: 2,
      maxSessionMemory: Math.ceil((2 * this.settings.connectionWindowBytes) / MiB) + 16,
      unknownProtocolTimeout: 1_000,
    });
    session.on("connect", () => session.setLocalWindowSize(this.settings.connectionWindowBytes));
    const dieIfCurrent = (reason: string) => {
      if (current()) this.die(reason);
    };
    session.on("error", (err: Error) => dieIfCurrent(`agent connection failed: ${err.message}`));
    session.on("goaway", (code: number) => dieIfCurrent(`agent sent GOAWAY (code ${code})`));
    session.on("close", () => dieIfCurrent("agent connection closed"));
    // Stream 0 is the connection itself; a frame that failed on one stream fails only that call.
    session.on("frameError", (type: number, code: number, streamId: number) => {
      if (streamId === 0) dieIfCurrent(`agent connection frame error (type ${type}, code ${code})`);
    });
    return session;
  }

  /**
   * Moves every later call to the agent's connection on the engine's socket, once it answers Hello
   * there. Until then (or when it does not: no connection, a slow or wrong answer) the calls stay
   * on stdio; a failed adoption is logged, never the agent's death.
   */
  private async adoptSocket(socket: Duplex | null): Promise<void> {
    if (!socket) {
      this.log.warn("the agent did not connect to the engine socket: calls go over the exec's stream");
      return;
    }
    if (this.death) return void socket.destroy();
    socket.on("error", () => {});
    let adopted = false;
    const session = this.openSession(socket, () => adopted && this.socketSession === session);
    this.socketSession = session;
    try {
      await this.agent.hello({}, { timeoutMs: this.settings.helloTimeoutMs });
      adopted = true;
      // Closed between the answer and now: its close handler ran while it was not yet adopted.
      if (session.closed || session.destroyed) this.die("agent socket closed");
    } catch (err) {
      this.socketSession = null;
      session.destroy();
      socket.destroy();
      if (this.death) return;
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, "the agent's socket did not answer Hello: calls go over the exec's stream");
    }
  }

  /** Which stream carries the calls (benchmarks and tests tell the two apart with it). */
  get transport(): AgentTransport {
    return this.socketSession ? "socket" : "stdio";
  }

  private get session(): http2.ClientHttp2Session {
    return this.socketSession ?? this.stdioSession;
  }

  /** The agent's own words when it exits at once (a bad flag, a kernel without a feature), capped and cleaned. */
  private async whyNoStart(err: unknown): Promise<string> {
    const exit = await Promise.race([this.exec.exited, new Promise<null>((r) => setTimeout(() => r(null), 500).unref())]);
    const said = this.logForwarder.lastError();
    if (said !== null) return `exited${exit?.exitCode != null ? ` with code ${exit.exitCode}` : ""}: ${agentText(said)}`;
    return err instanceof Error ? err.message : String(err);
  }

  get isDead(): boolean {
    return this.death !== null;
  }

  get deathReason(): string | null {
    return this.death?.reason ?? null;
  }

  /** Registers a callback for the agent's death (called once, also when already dead). */
  onDeath(callback: (death: AgentDeath) => void): void {
    void this.dead.then(callback);
  }

  /** Ends the connection: calls in flight fail as CONTAINER_LOST "closed"; the agent sees EOF and exits. */
  close(reason = "connection closed by the engine"): void {
    this.die(reason, true);
  }

  /** Every call passes here: it is cut when the agent dies (the death's signal joins its own). */
  private readonly guard: Interceptor = (next) => (req) => {
    if (this.death) return Promise.reject(this.death.error);
    return next({ ...req, signal: AbortSignal.any([req.signal, this.deathController.signal]) });
  };

  private deathErrorNow(): SandboxError | null {
    return this.death?.error ?? null;
  }

  private openStream(
    method: string,
    path: string,
    headers: http2.OutgoingHttpHeaders,
    options: Omit<http2.ClientSessionRequestOptions, "signal">,
  ): Promise<http2.ClientHttp2Stream> {
    if (this.death) return Promise.reject(this.death.error);
    if (this.openStreams >= this.settings.maxConcurrentStreams) {
      return Promise.reject(new ConnectError(`too many agent calls at once (limit ${this.settings.maxConcurrentStreams})`, Code.ResourceExhausted));
    }
    let stream: http2.ClientHttp2Stream;
    try {
      stream = this.session.request({ ...headers, ":method": method, ":path": path }, options);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.openStreams++;
    stream.once("close", () => this.openStreams--);
    keepTailOnGracefulReset(stream);
    return Promise.resolve(stream);
  }

  private ping(): void {
    if (this.death) return;
    const now = Date.now();
    if (this.pingSentAt === 0) {
      this.pingSentAt = now;
      const sent = this.session.ping((err) => {
        if (err && !this.session.destroyed) this.die(`agent ping failed: ${err.message}`);
        this.pingSentAt = 0;
      });
      if (!sent) this.pingSentAt = 0;
      return;
    }
    if (now - this.pingSentAt < this.settings.pingTimeoutMs) return;
    // A blocked event loop (not a dead agent) also makes a ping late: its answer may be sitting
    // unread in the socket. setImmediate runs after the poll phase has read it.
    const sentAt = this.pingSentAt;
    setImmediate(() => {
      if (this.pingSentAt === sentAt) this.die(`agent did not answer a ping within ${this.settings.pingTimeoutMs} ms`);
    });
  }

  private die(reason: string, closed = false): void {
    if (this.death) return;
    const error = new SandboxError("CONTAINER_LOST", `agent of container ${this.containerId.slice(0, 12)} is gone: ${reason}`);
    this.death = { reason, error, at: Date.now(), closed };
    clearInterval(this.pingTimer);
    this.deathController.abort(error);
    if (this.socketSession && !this.socketSession.destroyed) this.socketSession.destroy();
    if (!this.stdioSession.destroyed) this.stdioSession.destroy();
    // EOF on its stdin tells the agent to exit; detach drops the exec's connection.
    this.exec.stdin.end();
    this.exec.detach();
    if (closed) this.log.debug({ reason }, "agent connection closed");
    else this.log.warn({ reason }, "agent connection lost");
    this.resolveDead(this.death);
  }
}

/**
 * The same client, whose every failure (at the call, or later while its stream is read) is an
 * AgentCallError: connect-es turns anything an interceptor throws into a ConnectError, so the
 * mapping happens here, outside it.
 */
function guardClient<S extends DescService>(service: S, client: Client<S>, deathError: () => SandboxError | null): Client<S> {
  const guarded: Record<string, unknown> = {};
  const methods = client as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of service.methods) {
    const fn = methods[method.localName];
    if (!fn) continue;
    const call = `agent ${service.name}.${method.name}`;
    const mapError = (err: unknown) => toAgentCallError(err, call, deathError());
    if (method.methodKind === "unary" || method.methodKind === "client_streaming") {
      guarded[method.localName] = (...args: unknown[]) => (fn(...args) as Promise<unknown>).catch((err: unknown) => Promise.reject(mapError(err)));
    } else {
      guarded[method.localName] = (input: unknown, options?: CallOptions) => {
        // connect-es leaves the HTTP/2 stream open when the caller stops iterating early: the
        // stream would hold its slot (and the agent its work) until the deadline. Ours cancels it.
        const leave = new AbortController();
        const signal = options?.signal ? AbortSignal.any([options.signal, leave.signal]) : leave.signal;
        return guardIterable(fn(input, { ...options, signal }) as AsyncIterable<unknown>, mapError, () => leave.abort(CALL_LEFT));
      };
    }
  }
  return guarded as Client<S>;
}

/**
 * The reason a stream call is cut when its caller is done with it. One shared value: abort()
 * without a reason builds a DOMException (with its stack) per call, on every run's normal end.
 */
const CALL_LEFT = new Error("the caller left the agent call");

async function* guardIterable<T>(inner: AsyncIterable<T>, mapError: (err: unknown) => Error, done: () => void): AsyncGenerator<T> {
  try {
    yield* inner;
  } catch (err) {
    throw mapError(err);
  } finally {
    done();
  }
}

/**
 * A handler that returns while our request side is still open (a forwarded connection closed by
 * the server inside) makes the agent's HTTP/2 server end the response and then send RST_STREAM
 * NO_ERROR (RFC 9113 §8.1). Node keeps the response's unread data then (it ends the readable
 * once consumed), but marks the stream `aborted`, and node's end-of-stream helper, which
 * connect-node's reader relies on, treats 'aborted' as a premature close whenever the reader has
 * not caught up: the tail of the response was lost (a slow browser got a truncated page).
 * Hiding the flag makes the helper wait for 'end' or 'close' instead; a reset with an error code
 * still destroys the stream at once, so a failing agent still fails the call.
 */
function keepTailOnGracefulReset(stream: http2.ClientHttp2Stream): void {
  Object.defineProperty(stream, "aborted", { value: undefined, configurable: true });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
