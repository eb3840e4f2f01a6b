import { getLogger } from "@/server/logging/logger";

export interface WebhookOptions {
  url: string;
  /** Per attempt: a receiver that accepts the connection and never answers is cut off here. */
  timeoutMs?: number;
  /** Attempts after the first. */
  retries?: number;
  backoffMs?: number;
  /** Deliveries in flight or waiting beyond this are dropped (and logged): memory stays bounded. */
  maxPending?: number;
  fetchImpl?: typeof fetch;
}

export interface WebhookNotifier {
  /** Queues a JSON POST and returns at once; never throws, never awaits the receiver. */
  notify(payload: unknown): void;
  /** Resolves when every queued delivery has succeeded or given up (shutdown, tests). */
  drain(): Promise<void>;
}

export type DeliveryOutcome = { ok: true; attempts: number } | { ok: false; attempts: number; error: string };

// 4xx other than 408/429 means the receiver refuses this payload: retrying would not help.
const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

/** One delivery with its retries; resolves with the outcome, never rejects. */
export async function deliverWebhook(payload: unknown, opts: WebhookOptions): Promise<DeliveryOutcome> {
  const { url, timeoutMs = 5_000, retries = 3, backoffMs = 500, fetchImpl = fetch } = opts;
  const body = JSON.stringify(payload);
  let error = "";
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    try {
      const res = await fetchImpl(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "pantheon-sandbox-alerts" },
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: "error",
      });
      await res.body?.cancel().catch(() => {});
      if (res.ok) return { ok: true, attempts: attempt };
      error = `HTTP ${res.status}`;
      if (!retryable(res.status)) return { ok: false, attempts: attempt, error };
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    if (attempt <= retries) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
  }
  return { ok: false, attempts: retries + 1, error };
}

export function createWebhookNotifier(opts: WebhookOptions): WebhookNotifier {
  const maxPending = opts.maxPending ?? 100;
  const pending = new Set<Promise<void>>();
  const log = getLogger().child({ component: "alert-webhook" });
  return {
    notify(payload) {
      if (pending.size >= maxPending) {
        log.warn({ pending: pending.size }, "alert webhook backlog full; alert not delivered");
        return;
      }
      const p = deliverWebhook(payload, opts)
        .then((outcome) => {
          if (!outcome.ok) log.warn({ attempts: outcome.attempts, error: outcome.error }, "alert webhook delivery failed");
        })
        .catch(() => {})
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    async drain() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
