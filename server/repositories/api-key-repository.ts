import { directQuery } from "@/server/db/direct-query";
import { getPrisma, type Prisma } from "@/server/db/client";

const listed = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  defaultAiPersonality: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;
export type ApiKeyRecord = Prisma.ApiKeyGetPayload<{ select: typeof listed }>;
export type ApiKeyWithOwner = ApiKeyRecord & { hash: string; user: { id: number; email: string; role: string; disabledAt: Date | null } };

interface KeyWithOwnerRow {
  id: number;
  name: string;
  prefix: string;
  scopes: string[];
  default_ai_personality: string | null;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  hash: string;
  owner_id: number;
  email: string;
  role: string;
  disabled_at: Date | null;
}

export const apiKeyRepository = {
  create(data: {
    userId: number;
    name: string;
    prefix: string;
    hash: string;
    scopes: string[];
    defaultAiPersonality: string | null;
    expiresAt: Date | null;
  }): Promise<ApiKeyRecord> {
    return getPrisma().apiKey.create({ data, select: listed });
  },

  /**
   * The key and its owner in ONE statement: every API request pays for it, and Prisma's relation
   * select costs a second round trip (a query for the key, then one for the user). Sent without
   * Prisma's client (server/db/direct-query.ts).
   */
  async findByPrefixWithOwner(prefix: string): Promise<ApiKeyWithOwner | null> {
    const rows = await directQuery<KeyWithOwnerRow>(
      `SELECT k.id, k.name, k.prefix, k.scopes, k.default_ai_personality, k.created_at, k.last_used_at,
              k.expires_at, k.revoked_at, k.hash, u.id AS owner_id, u.email, u.role, u.disabled_at
       FROM api_keys k JOIN users u ON u.id = k.user_id
       WHERE k.prefix = $1`,
      [prefix],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      name: r.name,
      prefix: r.prefix,
      scopes: r.scopes,
      defaultAiPersonality: r.default_ai_personality,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
      hash: r.hash,
      user: { id: r.owner_id, email: r.email, role: r.role, disabledAt: r.disabled_at },
    };
  },

  listForUser(userId: number): Promise<ApiKeyRecord[]> {
    return getPrisma().apiKey.findMany({ where: { userId }, select: listed, orderBy: { id: "desc" } });
  },

  /** Revokes a live key; `userId` narrows to the owner's keys. Returns whether a key changed. */
  async revoke(prefix: string, userId?: number): Promise<boolean> {
    const { count } = await getPrisma().apiKey.updateMany({
      where: { prefix, revokedAt: null, ...(userId === undefined ? {} : { userId }) },
      data: { revokedAt: new Date() },
    });
    return count > 0;
  },

  touchLastUsed(id: number, at: Date): Promise<unknown> {
    return getPrisma().apiKey.update({ where: { id }, data: { lastUsedAt: at }, select: { id: true } });
  },
};
