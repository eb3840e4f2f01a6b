import type { ApiKeyWithOwner } from "@/server/repositories/api-key-repository";

// The API keys this instance has checked, so a chat service's request does not wait for the key's
// row each time (a round trip before anything else can start: 1.2 ms of a 15 ms REST execution).
// It holds only while it hears every change: the database announces each change that could refuse
// a key (prisma/migrations/20261204_api_key_auth_notify), whoever wrote it, and this instance
// listens (auth-invalidation.ts). Not listening (not started, connection lost, reconnecting), the
// cache is empty and every request reads the row, so a revocation never waits for a timeout.
// - Keyed by the key's sha256 (never the key): an unknown key misses and is checked as before;
//   refusals are not kept, so a key that starts working (an account re-enabled) works at once.
// - A lookup that started before an announcement never stores its answer (the generation below),
//   so a row read just before a revocation cannot outlive it.
// - Entries also expire (ttlMs): a last bound should a notification ever be lost unnoticed.

export interface ApiKeyCacheOptions {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

interface Entry {
  found: ApiKeyWithOwner;
  storedAt: number;
}

export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every announcement and every change of the feed: a lookup older than it stores nothing. */
  private generation = 0;
  private live = false;
  private readonly now: () => number;

  constructor(private readonly opts: ApiKeyCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Taken before reading the row; `store` keeps the row only if nothing was announced since. */
  ticket(): number {
    return this.generation;
  }

  get(hash: string): ApiKeyWithOwner | null {
    if (!this.live) return null;
    const entry = this.entries.get(hash);
    if (!entry) return null;
    if (this.now() - entry.storedAt >= this.opts.ttlMs) {
      this.entries.delete(hash);
      return null;
    }
    return entry.found;
  }

  store(hash: string, found: ApiKeyWithOwner, ticket: number): void {
    if (!this.live || ticket !== this.generation) return;
    this.entries.delete(hash);
    // Insertion order is age order: past the bound, the oldest goes.
    if (this.entries.size >= this.opts.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(hash, { found, storedAt: this.now() });
  }

  /** The key's lastUsedAt was written: the kept row says so too (else every request would write it). */
  noteUsed(hash: string, at: Date): void {
    const entry = this.entries.get(hash);
    if (entry) entry.found = { ...entry.found, lastUsedAt: at };
  }

  /** An announcement, or a change made here: a key or the account of user `userId` changed. */
  forgetUser(userId: number): void {
    this.generation++;
    for (const [hash, entry] of this.entries) if (entry.found.user.id === userId) this.entries.delete(hash);
  }

  /** A key revoked here: forgotten at once, before the announcement comes back. */
  forgetPrefix(prefix: string): void {
    this.generation++;
    for (const [hash, entry] of this.entries) if (entry.found.prefix === prefix) this.entries.delete(hash);
  }

  /**
   * The announcements are heard (true) or may be missed (false). Either way whatever is kept may
   * be stale (announced while nobody listened), so it is dropped.
   */
  setLive(live: boolean): void {
    this.generation++;
    this.entries.clear();
    this.live = live;
  }

  get size(): number {
    return this.entries.size;
  }
}
