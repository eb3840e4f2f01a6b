import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { aiPersonalitySchema } from "@/lib/ai-personalities";
import { API_SCOPES, type ApiScope, type AuthUser, asRole, DEFAULT_KEY_SCOPES } from "@/server/auth/auth-user";
import { generateApiKey, hashApiKey, parseApiKey } from "@/server/auth/api-key-format";
import { AppError } from "@/server/errors/app-error";
import { getLogger } from "@/server/logging/logger";
import { apiKeyRepository, type ApiKeyWithOwner } from "@/server/repositories/api-key-repository";
import { getApiKeyCache } from "./auth-invalidation";

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1, "must not be empty").max(100),
  scopes: z.array(z.enum(API_SCOPES)).min(1).optional(),
  defaultAiPersonality: aiPersonalitySchema.optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeyInput>;

export async function createApiKey(owner: { id: number; role: string }, input: CreateApiKeyInput) {
  const { name, scopes = DEFAULT_KEY_SCOPES, defaultAiPersonality, expiresInDays } = createApiKeyInput.parse(input);
  if (scopes.includes("admin") && owner.role !== "admin") throw new AppError("FORBIDDEN", "Only admins can create keys with the admin scope");
  const { key, prefix, hash } = generateApiKey();
  const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null;
  const record = await apiKeyRepository.create({ userId: owner.id, name, prefix, hash, scopes, defaultAiPersonality: defaultAiPersonality ?? null, expiresAt });
  return { key, record };
}

export function listApiKeys(userId: number) {
  return apiKeyRepository.listForUser(userId);
}

export async function revokeApiKey(prefix: string, ownerId?: number): Promise<void> {
  const revoked = await apiKeyRepository.revoke(prefix, ownerId);
  // This instance's next request must not wait for the database's announcement (the others do).
  getApiKeyCache().forgetPrefix(prefix);
  if (!revoked) throw new AppError("NOT_FOUND", `No active API key with prefix ${prefix}`);
}

/** Resolves a presented key to its owner, or throws UNAUTHORIZED saying what is wrong with it. */
/** How stale a key's lastUsedAt may be (it is shown to the minute). */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function authenticateApiKey(key: string): Promise<AuthUser> {
  const parsed = parseApiKey(key);
  if (!parsed) throw new AppError("UNAUTHORIZED", "Malformed API key: expected psk_<id>_<secret> in 'Authorization: Bearer <key>'");
  const hash = hashApiKey(key);
  const found = await keyWithOwner(parsed.prefix, hash);
  if (found.revokedAt) throw new AppError("UNAUTHORIZED", `API key ${found.prefix} was revoked`);
  if (found.expiresAt && found.expiresAt.getTime() <= Date.now()) throw new AppError("UNAUTHORIZED", `API key ${found.prefix} has expired`);
  if (found.user.disabledAt) throw new AppError("UNAUTHORIZED", `The account of API key ${found.prefix} is disabled`);

  // lastUsedAt is bookkeeping: never make the request wait for it or fail because of it. Written
  // at most once a minute per key: a chat service sending many requests a second would otherwise
  // add a row update (and its lock) to each of them.
  const now = new Date();
  if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    getApiKeyCache().noteUsed(hash, now);
    apiKeyRepository
      .touchLastUsed(found.id, now)
      .catch((e: unknown) => getLogger().warn({ err: String(e), prefix: found.prefix }, "could not update api key lastUsedAt"));
  }

  const role = asRole(found.user.role);
  const scopes = found.scopes.filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s)).filter((s) => s !== "admin" || role === "admin");
  return { id: found.user.id, email: found.user.email, role, via: "api_key", scopes, apiKeyId: found.id, defaultAiPersonality: found.defaultAiPersonality };
}

/** The key's row and owner: kept by this instance (api-key-cache.ts), else read and kept. */
async function keyWithOwner(prefix: string, hash: string): Promise<ApiKeyWithOwner> {
  const cache = getApiKeyCache();
  const kept = cache.get(hash);
  if (kept) return kept;
  const ticket = cache.ticket();
  const found = await apiKeyRepository.findByPrefixWithOwner(prefix);
  if (!found || !sameHash(found.hash, hash)) throw new AppError("UNAUTHORIZED", "Unknown API key");
  // Kept only when it would be accepted: a refused key is read again next time.
  if (!found.revokedAt && !found.user.disabledAt) cache.store(hash, found, ticket);
  return found;
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
