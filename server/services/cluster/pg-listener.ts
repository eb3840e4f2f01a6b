import type { Logger } from "pino";
import pg from "pg";

export interface PgListenerOptions {
  databaseUrl: string;
  channel: string;
  /** Names the connection in log lines ("cluster bus", "feed relay"). */
  name: string;
  log: Logger;
  /** Each notification's payload on the channel, with the connection it came on. */
  onPayload(payload: string, client: pg.Client): void;
  /** Wait before reconnecting after the connection is lost. */
  reconnectMs?: number;
  /** Listening (at start, and after each reconnect): notifications are heard from now on. */
  onListening?(): void;
  /** Not listening any more (lost, or stopped): notifications sent meanwhile are never heard. */
  onLost?(): void;
}

/**
 * One dedicated `pg` connection that LISTENs on a channel and reconnects when it is lost (a
 * database restart, the network): the cluster bus and the feed relay each hold one. `client` is
 * null while disconnected; what is sent meanwhile is dropped by the caller (NOTIFY is at most once).
 */
export class PgListener {
  client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: PgListenerOptions) {}

  /** Connects and listens; resolves once listening (a failure is retried until stop). */
  start(): Promise<void> {
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = null;
    this.opts.onLost?.();
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const { channel, name, log } = this.opts;
    const reconnectMs = this.opts.reconnectMs ?? 1_000;
    while (!this.stopped) {
      const client = new pg.Client({ connectionString: this.opts.databaseUrl, connectionTimeoutMillis: 5_000 });
      try {
        client.on("notification", (n) => {
          if (n.channel === channel && n.payload) this.opts.onPayload(n.payload, client);
        });
        client.on("error", (err) => {
          log.warn({ err: err.message }, `${name} connection lost`);
          if (this.client === client) this.opts.onLost?.();
        });
        client.on("end", () => {
          if (this.client !== client) return;
          this.client = null;
          this.opts.onLost?.();
          if (!this.stopped) setTimeout(() => void this.start(), reconnectMs).unref();
        });
        await client.connect();
        await client.query(`LISTEN ${channel}`);
        this.client = client;
        this.opts.onListening?.();
        return;
      } catch (err) {
        log.warn({ err: err instanceof Error ? err.message : err }, `${name} could not listen; retrying`);
        await client.end().catch(() => {});
        await new Promise((r) => setTimeout(r, reconnectMs));
      }
    }
  }
}
