import type { Logger } from "pino";
import { z } from "zod";
import { type ExecutionHub, getExecutionHub } from "@/server/services/executions/execution-hub";
import { type FileChange, type FileChangeHub, getFileChangeHub } from "@/server/services/files/file-change-hub";
import { CLUSTER_PATH_PREFIX, peerRequest } from "./instance-peers";
import { PgListener } from "./pg-listener";

// Feeds that start on any instance and are followed on every one (SCALE.md, "Feeds to every
// instance"): a project's file changes (an API write through A, a run's files saved on B) and
// the announcement that an execution started (the IDE's project feed). Each instance NOTIFYs
// `pantheon_feed` when one happens here; every other instance relays it into its own hub, whose
// subscribers then see it as if it happened locally. A file change travels whole when it fits in
// a notification; a larger one travels as its origin's seq, and the receivers fetch it from the
// origin (its hub keeps the last 200 changes of a project), so PostgreSQL's 8000-byte limit bounds
// nothing. Execution and process output do not come through here: they have one source, the
// instance that runs them, and a follower streams them from it (peer-follow.ts).

export const FEED_CHANNEL = "pantheon_feed";
/** Below PostgreSQL's 8000-byte payload limit with room for the envelope. */
const MAX_INLINE_BYTES = 7_000;

const changeSchema = z.object({
  upserted: z.array(z.string().max(4096)).max(10_000),
  versions: z.record(z.string().max(4096), z.string().max(128)),
  deleted: z.array(z.string().max(4096)).max(10_000),
  refused: z.array(z.object({ path: z.string().max(4096), reason: z.string().max(200), detail: z.string().max(2000).nullable() })).max(10_000),
  source: z.enum(["api", "execution"]),
  aiPersonality: z.string().max(100).nullable(),
  checkpointId: z.number().int().positive().nullish(),
  at: z.coerce.date(),
  seq: z.number().int().positive(),
});

const messageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("files"), from: z.string().min(1).max(40), projectId: z.number().int().positive(), change: changeSchema }),
  // Too large to carry: the receivers fetch change `seq` from `from`.
  z.object({ kind: z.literal("files-ref"), from: z.string().min(1).max(40), projectId: z.number().int().positive(), seq: z.number().int().positive() }),
  z.object({ kind: z.literal("execution"), from: z.string().min(1).max(40), projectId: z.number().int().positive(), executionId: z.number().int().positive() }),
]);
type FeedMessage = z.infer<typeof messageSchema>;

export interface FeedRelayOptions {
  databaseUrl: string;
  self: string;
  log: Logger;
  reconnectMs?: number;
  /** The hubs relayed to and from (default: this process's; tests give each relay its own). */
  hubs?: { files: FileChangeHub; executions: ExecutionHub };
}

export class FeedRelay {
  private readonly listener: PgListener;
  /** Sent in order, one at a time: a project's changes reach the others in the order they happened here. */
  private sending: Promise<void> = Promise.resolve();
  /** Relayed in arrival order, including the ones fetched from their origin. */
  private receiving: Promise<void> = Promise.resolve();

  private readonly files: FileChangeHub;
  private readonly executions: ExecutionHub;

  constructor(private readonly opts: FeedRelayOptions) {
    this.files = opts.hubs?.files ?? getFileChangeHub();
    this.executions = opts.hubs?.executions ?? getExecutionHub();
    this.listener = new PgListener({
      databaseUrl: opts.databaseUrl,
      channel: FEED_CHANNEL,
      name: "feed relay",
      log: opts.log,
      onPayload: (payload) => this.receive(payload),
      ...(opts.reconnectMs !== undefined ? { reconnectMs: opts.reconnectMs } : {}),
    });
  }

  async start(): Promise<void> {
    await this.listener.start();
    this.files.onLocalChange = (projectId, change) => this.send(fileMessage(this.opts.self, projectId, change));
    this.executions.onOpen = (executionId, projectId) => this.send({ kind: "execution", from: this.opts.self, projectId, executionId });
  }

  async stop(): Promise<void> {
    this.files.onLocalChange = null;
    this.executions.onOpen = null;
    await this.sending;
    await this.listener.stop();
  }

  private send(message: FeedMessage): void {
    this.sending = this.sending.then(async () => {
      const client = this.listener.client;
      if (!client) return;
      await client.query("SELECT pg_notify($1, $2)", [FEED_CHANNEL, JSON.stringify(message)]).catch((err: unknown) => {
        this.opts.log.warn({ err: err instanceof Error ? err.message : err, kind: message.kind }, "feed event could not be relayed");
      });
    });
  }

  private receive(payload: string): void {
    let message: FeedMessage;
    try {
      message = messageSchema.parse(JSON.parse(payload));
    } catch {
      this.opts.log.warn({ payload: payload.slice(0, 200) }, "ignored a malformed feed message");
      return;
    }
    if (message.from === this.opts.self) return;
    this.receiving = this.receiving
      .then(() => this.relay(message))
      .catch((err: unknown) => {
        this.opts.log.warn({ err: err instanceof Error ? err.message : err, kind: message.kind }, "feed event could not be relayed here");
      });
  }

  private async relay(message: FeedMessage): Promise<void> {
    switch (message.kind) {
      case "execution":
        this.executions.announce(message.executionId, message.projectId);
        return;
      case "files": {
        const { seq: _originSeq, ...change } = message.change;
        this.files.relay(message.projectId, change);
        return;
      }
      case "files-ref": {
        const change = await fetchChange(message.from, message.projectId, message.seq);
        if (change) this.files.relay(message.projectId, change);
        return;
      }
    }
  }
}

function fileMessage(self: string, projectId: number, change: FileChange): FeedMessage {
  const whole: FeedMessage = { kind: "files", from: self, projectId, change };
  return JSON.stringify(whole).length <= MAX_INLINE_BYTES ? whole : { kind: "files-ref", from: self, projectId, seq: change.seq };
}

/** A change too large for a notification, from the hub of the instance that made it. */
async function fetchChange(origin: string, projectId: number, seq: number): Promise<Omit<FileChange, "seq"> | null> {
  const request = await peerRequest(origin, "GET", `${CLUSTER_PATH_PREFIX}file-changes/${projectId}/${seq}`);
  if (!request) return null;
  const res = await fetch(request.url, { headers: request.headers, signal: AbortSignal.timeout(5_000) });
  if (!res.ok) return null;
  const { seq: _seq, ...change } = changeSchema.parse(await res.json());
  return change;
}
