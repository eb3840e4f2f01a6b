import { getPrisma, Prisma } from "@/server/db/client";

const publicUser = { id: true, email: true, name: true, role: true, createdAt: true, sessionVersion: true, disabledAt: true } as const;

export type UserRecord = Prisma.UserGetPayload<{ select: typeof publicUser }>;

export const userRepository = {
  findCredentialsByEmail(email: string) {
    return getPrisma().user.findUnique({ where: { email }, select: { ...publicUser, passwordHash: true } });
  },

  findById(id: number): Promise<UserRecord | null> {
    return getPrisma().user.findUnique({ where: { id }, select: publicUser });
  },

  findByEmail(email: string): Promise<UserRecord | null> {
    return getPrisma().user.findUnique({ where: { email }, select: publicUser });
  },

  /** Returns null when the email is taken (unique violation), so callers need no Prisma types. */
  async create(data: { email: string; name: string | null; passwordHash: string; role: "user" | "admin" }): Promise<UserRecord | null> {
    try {
      return await getPrisma().user.create({ data, select: publicUser });
    } catch (e) {
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") return null;
      throw e;
    }
  },

  list(opts: { take: number; skip: number }): Promise<UserRecord[]> {
    return getPrisma().user.findMany({ select: publicUser, orderBy: { id: "asc" }, take: opts.take, skip: opts.skip });
  },

  findSettings(id: number): Promise<{ editorKeymap: string } | null> {
    return getPrisma().user.findUnique({ where: { id }, select: { editorKeymap: true } });
  },

  updateSettings(id: number, data: { editorKeymap?: string }): Promise<{ editorKeymap: string }> {
    return getPrisma().user.update({ where: { id }, data, select: { editorKeymap: true } });
  },

  setRole(id: number, role: "user" | "admin"): Promise<UserRecord> {
    return getPrisma().user.update({ where: { id }, data: { role }, select: publicUser });
  },

  findPasswordHash(id: number): Promise<{ passwordHash: string } | null> {
    return getPrisma().user.findUnique({ where: { id }, select: { passwordHash: true } });
  },

  /** Sets the password and ends every session in one write, so no old session outlives the change. */
  setPassword(id: number, passwordHash: string): Promise<UserRecord> {
    return getPrisma().user.update({ where: { id }, data: { passwordHash, sessionVersion: { increment: 1 } }, select: publicUser });
  },

  /**
   * Ends every session of the user, but only if `expectedVersion` is still current (a sign-out
   * replayed with an old token must not end the sessions started since). Returns whether it did.
   */
  async endSessions(id: number, expectedVersion?: number): Promise<boolean> {
    const where = expectedVersion === undefined ? { id } : { id, sessionVersion: expectedVersion };
    const { count } = await getPrisma().user.updateMany({ where, data: { sessionVersion: { increment: 1 } } });
    return count > 0;
  },

  /** Disables (ending every session) or re-enables an account. */
  setDisabled(id: number, disabled: boolean): Promise<UserRecord> {
    return getPrisma().user.update({
      where: { id },
      data: disabled ? { disabledAt: new Date(), sessionVersion: { increment: 1 } } : { disabledAt: null },
      select: publicUser,
    });
  },
};
