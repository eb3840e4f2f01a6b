import { describe, expect, it } from "vitest";
import type { ApiKeyWithOwner } from "@/server/repositories/api-key-repository";
import { ApiKeyCache } from "./api-key-cache";
import { applyAuthAnnouncement } from "./auth-invalidation";

function row(id: number, userId: number, prefix = `psk_${id}`): ApiKeyWithOwner {
  return {
    id,
    name: "k",
    prefix,
    scopes: ["executions:run"],
    defaultAiPersonality: null,
    createdAt: new Date(0),
    lastUsedAt: null,
    expiresAt: null,
    revokedAt: null,
    hash: `h${id}`,
    user: { id: userId, email: `u${userId}@test.local`, role: "user", disabledAt: null },
  };
}

function liveCache(opts: Partial<{ ttlMs: number; maxEntries: number }> = {}) {
  let now = 1_000;
  const cache = new ApiKeyCache({ ttlMs: opts.ttlMs ?? 60_000, maxEntries: opts.maxEntries ?? 100, now: () => now });
  cache.setLive(true);
  return { cache, advance: (ms: number) => (now += ms) };
}

describe("the API-key cache", () => {
  it("keeps nothing while the announcements are not heard", () => {
    const cache = new ApiKeyCache({ ttlMs: 60_000, maxEntries: 10 });
    cache.store("h1", row(1, 7), cache.ticket());
    expect(cache.get("h1")).toBeNull();
    expect(cache.size).toBe(0);
  });

  it("answers a kept key until its time is up", () => {
    const { cache, advance } = liveCache({ ttlMs: 500 });
    cache.store("h1", row(1, 7), cache.ticket());
    expect(cache.get("h1")?.id).toBe(1);
    advance(499);
    expect(cache.get("h1")?.id).toBe(1);
    advance(1);
    expect(cache.get("h1")).toBeNull();
    expect(cache.size).toBe(0);
  });

  it("never stores a row read before an announcement (a revocation racing the read)", () => {
    const { cache } = liveCache();
    const ticket = cache.ticket(); // the read starts
    cache.forgetUser(42); // any announcement arrives meanwhile, even another user's
    cache.store("h1", row(1, 7), ticket); // the read's answer
    expect(cache.get("h1")).toBeNull();
    cache.store("h1", row(1, 7), cache.ticket());
    expect(cache.get("h1")?.id).toBe(1);
  });

  it("forgets every key of an announced user and only theirs", () => {
    const { cache } = liveCache();
    cache.store("h1", row(1, 7), cache.ticket());
    cache.store("h2", row(2, 7), cache.ticket());
    cache.store("h3", row(3, 8), cache.ticket());
    cache.forgetUser(7);
    expect([cache.get("h1"), cache.get("h2")]).toEqual([null, null]);
    expect(cache.get("h3")?.id).toBe(3);
  });

  it("forgets a key revoked here by its prefix", () => {
    const { cache } = liveCache();
    cache.store("h1", row(1, 7, "psk_aaaaaaaa"), cache.ticket());
    cache.store("h2", row(2, 7, "psk_bbbbbbbb"), cache.ticket());
    cache.forgetPrefix("psk_aaaaaaaa");
    expect(cache.get("h1")).toBeNull();
    expect(cache.get("h2")?.id).toBe(2);
  });

  it("drops everything when the connection is lost, and again when it listens anew", () => {
    const { cache } = liveCache();
    cache.store("h1", row(1, 7), cache.ticket());
    const before = cache.ticket();
    cache.setLive(false);
    expect(cache.get("h1")).toBeNull();
    cache.store("h1", row(1, 7), cache.ticket());
    expect(cache.size).toBe(0);
    cache.setLive(true);
    // A read that began before the reconnection may have missed an announcement: not kept.
    cache.store("h1", row(1, 7), before);
    expect(cache.size).toBe(0);
  });

  it("holds at most maxEntries, the oldest going first", () => {
    const { cache } = liveCache({ maxEntries: 2 });
    cache.store("h1", row(1, 7), cache.ticket());
    cache.store("h2", row(2, 7), cache.ticket());
    cache.store("h3", row(3, 7), cache.ticket());
    expect(cache.size).toBe(2);
    expect(cache.get("h1")).toBeNull();
    expect(cache.get("h3")?.id).toBe(3);
  });

  it("records a written lastUsedAt on the kept row", () => {
    const { cache } = liveCache();
    cache.store("h1", row(1, 7), cache.ticket());
    const at = new Date(5_000);
    cache.noteUsed("h1", at);
    expect(cache.get("h1")?.lastUsedAt).toEqual(at);
  });

  it("reads an announcement as a user id, and anything else as 'forget everything'", () => {
    const { cache } = liveCache();
    cache.store("h1", row(1, 7), cache.ticket());
    cache.store("h2", row(2, 8), cache.ticket());
    applyAuthAnnouncement(cache, "7");
    expect(cache.get("h1")).toBeNull();
    expect(cache.get("h2")?.id).toBe(2);
    for (const odd of ["", "x", "-8", "08", "1e3", "99999999999999999999"]) {
      cache.store("h2", row(2, 8), cache.ticket());
      applyAuthAnnouncement(cache, odd);
      expect(cache.get("h2"), odd).toBeNull();
    }
    // Still live afterwards: the next read is kept again.
    cache.store("h2", row(2, 8), cache.ticket());
    expect(cache.get("h2")?.id).toBe(2);
  });
});
