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

  findByPrefixWithOwner(prefix: string) {
    return getPrisma().apiKey.findUnique({
      where: { prefix },
      select: { ...listed, hash: true, user: { select: { id: true, email: true, role: true, disabledAt: true } } },
    });
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
