import type { Logger } from "pino";
import { getAppRuntime } from "@/server/process/app-runtime";
import { PgListener } from "@/server/services/cluster/pg-listener";
import { ApiKeyCache } from "./api-key-cache";

// What keeps the API-key cache honest (api-key-cache.ts): the database's announcements of changed
// keys and accounts (prisma/migrations/20261204_api_key_auth_notify), heard on one LISTEN
// connection of this process. The cache is live only while that connection listens.

export const AUTH_CHANNEL = "pantheon_auth";
/** A last bound on a kept key, should an announcement ever be lost without the connection noticing. */
const KEY_TTL_MS = 60_000;
/** Keys kept at most (each a few hundred bytes); past it the oldest goes. */
const MAX_KEYS = 10_000;

/** This process's cache (in the registry: Next's route bundles and the custom server share it). */
export function getApiKeyCache(): ApiKeyCache {
  const runtime = getAppRuntime();
  runtime.apiKeyCache ??= new ApiKeyCache({ ttlMs: KEY_TTL_MS, maxEntries: MAX_KEYS });
  return runtime.apiKeyCache;
}

/** The payload is the owner's id; anything else drops every kept key (the safe reading). */
export function applyAuthAnnouncement(cache: ApiKeyCache, payload: string): void {
  const userId = /^[1-9]\d{0,15}$/.test(payload) ? Number(payload) : NaN;
  if (Number.isSafeInteger(userId)) cache.forgetUser(userId);
  else cache.setLive(true);
}

/** Starts hearing the announcements (main.ts); resolves once listening, when the cache turns live. */
export async function startAuthInvalidation(databaseUrl: string, log: Logger): Promise<void> {
  const cache = getApiKeyCache();
  const listener = new PgListener({
    databaseUrl,
    channel: AUTH_CHANNEL,
    name: "auth announcements",
    log: log.child({ component: "auth-invalidation" }),
    onPayload: (payload) => applyAuthAnnouncement(cache, payload),
    onListening: () => cache.setLive(true),
    onLost: () => cache.setLive(false),
  });
  getAppRuntime().authInvalidation = listener;
  await listener.start();
}

export async function stopAuthInvalidation(): Promise<void> {
  const runtime = getAppRuntime();
  const listener = runtime.authInvalidation;
  runtime.authInvalidation = undefined;
  await listener?.stop();
  runtime.apiKeyCache?.setLive(false);
}
