import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { Logger } from "pino";
import { z } from "zod";
import { PgListener } from "./pg-listener";

// The bus between the app's instances (SCALE.md beside this file): PostgreSQL LISTEN/NOTIFY on one
// channel, through the `pg` driver the app already has, so replicas need nothing beside the
// database they share. A command is addressed to the instance that owns the run; that instance
// acts and answers on the same channel; the asker waits a bounded time for the answer. NOTIFY is
// delivered to every listener of the database, at most once, only to those connected: a command
// is never queued for an instance that is down, which is what a cancel wants (the sweeper ends a
// dead instance's runs).

export const CLUSTER_CHANNEL = "pantheon_cluster";
/** A command larger than this (JSON) is sent shortened; the envelope adds < 200 bytes to PostgreSQL's 8000-byte limit. */
const MAX_COMMAND_BYTES = 7_000;

export const clusterCommandSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("cancel-execution"), executionId: z.number().int().positive() }),
  z.object({ type: z.literal("stop-process"), processId: z.number().int().positive() }),
  // Files saved to the database through another instance: the receiver pushes them into its live
  // container of the project, if it holds one (paths null: too many to name, push every file).
  z.object({
    type: z.literal("push-files"),
    projectId: z.number().int().positive(),
    paths: z.array(z.string().min(1).max(4096)).max(1000).nullable(),
    deleted: z.array(z.string().min(1).max(4096)).max(1000),
  }),
  // Project ownership (lease-mover.ts, forwarded-execution.ts): hand an idle project over; run an
  // execution whose row the asker recorded (the code is in the row, never in the message).
  // force: the user's release or a deletion (runs and processes end); otherwise refused while busy.
  z.object({ type: z.literal("release-project"), projectId: z.number().int().positive(), force: z.boolean().optional() }),
  z.object({
    type: z.literal("start-execution"),
    executionId: z.number().int().positive(),
    projectId: z.number().int().positive(),
    userId: z.number().int().positive(),
    ai: z.string().min(1).max(50).nullable(),
    image: z.enum(["node", "python"]),
    timeoutMs: z.number().int().positive(),
    maxTimeoutSeconds: z.number().int().positive(),
  }),
  z.object({ type: z.literal("await-execution"), executionId: z.number().int().positive() }),
  z.object({
    type: z.literal("start-process"),
    processId: z.number().int().positive(),
    projectId: z.number().int().positive(),
    maxPerProject: z.number().int().positive(),
  }),
]);
export type ClusterCommand = z.infer<typeof clusterCommandSchema>;

const instanceId = z.string().min(1).max(40);
const messageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ask"), id: z.uuid(), from: instanceId, to: instanceId, command: clusterCommandSchema }),
  z.object({ kind: z.literal("answer"), id: z.uuid(), from: instanceId, to: instanceId, done: z.boolean() }),
]);
type Message = z.infer<typeof messageSchema>;

/** What the owner did with a command: `done` (cancelled, stopped), or null when no answer came in time. */
export type ClusterAnswer = { done: boolean } | null;

export interface ClusterBusOptions {
  databaseUrl: string;
  /** This instance's id (server_instances): commands addressed to it are handled here. */
  self: string;
  /** Carries out a command addressed to this instance; true when it acted (the run was here and is ending). */
  handle(command: ClusterCommand): Promise<boolean>;
  log: Logger;
  /** Wait before reconnecting after the connection is lost. */
  reconnectMs?: number;
}

export class ClusterBus {
  private readonly listener: PgListener;
  private readonly pending = new Map<string, (answer: ClusterAnswer) => void>();

  constructor(private readonly opts: ClusterBusOptions) {
    // A lost connection reconnects; commands sent meanwhile get no answer.
    this.listener = new PgListener({
      databaseUrl: opts.databaseUrl,
      channel: CLUSTER_CHANNEL,
      name: "cluster bus",
      log: opts.log,
      onPayload: (payload, client) => void this.receive(client, payload),
      ...(opts.reconnectMs !== undefined ? { reconnectMs: opts.reconnectMs } : {}),
    });
  }

  get self(): string {
    return this.opts.self;
  }

  /** Connects and listens; resolves once listening (a failure is retried in the background). */
  start(): Promise<void> {
    return this.listener.start();
  }

  async stop(): Promise<void> {
    for (const resolve of this.pending.values()) resolve(null);
    this.pending.clear();
    await this.listener.stop();
  }

  /**
   * Sends `command` to instance `to` and waits up to `timeoutMs` for its answer. Null when the
   * bus is down or no answer came (the owner is dead or stuck: the record sweeper ends its runs).
   */
  async ask(to: string, command: ClusterCommand, timeoutMs: number): Promise<ClusterAnswer> {
    const client = this.listener.client;
    if (!client) return null;
    const id = randomUUID();
    // NOTIFY payloads are at most 8000 bytes: a push naming too many paths asks for every file.
    if (command.type === "push-files" && JSON.stringify(command).length > MAX_COMMAND_BYTES) command = { ...command, paths: null, deleted: [] };
    const answered = new Promise<ClusterAnswer>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(null);
      }, timeoutMs);
      this.pending.set(id, (answer) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(answer);
      });
    });
    try {
      await this.publish(client, { kind: "ask", id, from: this.opts.self, to, command });
    } catch (err) {
      this.opts.log.warn({ err: err instanceof Error ? err.message : err, to, command }, "cluster command could not be sent");
      this.pending.get(id)?.(null);
    }
    return answered;
  }

  private async publish(client: pg.Client, message: Message): Promise<void> {
    await client.query("SELECT pg_notify($1, $2)", [CLUSTER_CHANNEL, JSON.stringify(message)]);
  }

  private async receive(client: pg.Client, payload: string): Promise<void> {
    let message: Message;
    try {
      message = messageSchema.parse(JSON.parse(payload));
    } catch {
      this.opts.log.warn({ payload: payload.slice(0, 200) }, "ignored a malformed cluster message");
      return;
    }
    if (message.to !== this.opts.self) return;
    if (message.kind === "answer") {
      this.pending.get(message.id)?.({ done: message.done });
      return;
    }
    let done = false;
    try {
      done = await this.opts.handle(message.command);
    } catch (err) {
      this.opts.log.warn({ err: err instanceof Error ? err.message : err, command: message.command }, "cluster command failed");
    }
    this.opts.log.info({ from: message.from, command: message.command, done }, "cluster command handled");
    await this.publish(client, { kind: "answer", id: message.id, from: this.opts.self, to: message.from, done }).catch((err: unknown) =>
      this.opts.log.warn({ err: err instanceof Error ? err.message : err }, "cluster answer could not be sent"),
    );
  }
}
