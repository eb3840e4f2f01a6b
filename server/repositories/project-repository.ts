import { directQuery, utcTimestamp } from "@/server/db/direct-query";
import { getPrisma, type Prisma } from "@/server/db/client";
import type { NetworkPolicy } from "@/server/sandbox/egress";
import { storedNameBytes } from "./file-repository";

const projectFields = {
  id: true,
  name: true,
  description: true,
  userId: true,
  createdByAi: true,
  templateType: true,
  isPublic: true,
  status: true,
  containerId: true,
  networkPolicy: true,
  lastAccessedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

export type ProjectRecord = Prisma.SandboxProjectGetPayload<{ select: typeof projectFields }>;

export interface ProjectListQuery {
  /** Projects of this owner; with `includePublic`, also everyone's public ones. Null: all (admins). */
  ownerId: number | null;
  includePublic: boolean;
  search?: string;
  sort: "updatedAt" | "createdAt" | "name";
  order: "asc" | "desc";
  take: number;
  skip: number;
}

export interface NewProjectFile {
  filePath: string;
  content: string;
  encoding: string;
  sizeBytes: number;
  /** SHA-256 (hex) of the content's bytes. */
  version: string;
  fileType: string | null;
  isEntryPoint: boolean;
  isExecutable: boolean;
  createdByAi: string | null;
}

export const projectRepository = {
  create(data: {
    name: string;
    description: string | null;
    userId: number;
    createdByAi: string | null;
    templateType: string | null;
    isPublic?: boolean;
  }): Promise<ProjectRecord> {
    return getPrisma().sandboxProject.create({ data, select: projectFields });
  },

  /** The project and its first files in one transaction: a template is never half-written. */
  createWithFiles(
    data: { name: string; description: string | null; userId: number; createdByAi: string | null; templateType: string | null; isPublic: boolean },
    files: NewProjectFile[],
  ): Promise<ProjectRecord> {
    const rows = files.map((f) => ({ ...f, ...storedNameBytes(f.filePath) }));
    return getPrisma().sandboxProject.create({ data: { ...data, files: { createMany: { data: rows } } }, select: projectFields });
  },

  async list(query: ProjectListQuery): Promise<{ items: ProjectRecord[]; total: number }> {
    const visibility: Prisma.SandboxProjectWhereInput =
      query.ownerId === null ? {} : query.includePublic ? { OR: [{ userId: query.ownerId }, { isPublic: true }] } : { userId: query.ownerId };
    const search: Prisma.SandboxProjectWhereInput = query.search
      ? { OR: [{ name: { contains: query.search, mode: "insensitive" } }, { description: { contains: query.search, mode: "insensitive" } }] }
      : {};
    const where: Prisma.SandboxProjectWhereInput = { AND: [visibility, search] };
    const prisma = getPrisma();
    const [items, total] = await prisma.$transaction([
      prisma.sandboxProject.findMany({
        where,
        select: projectFields,
        orderBy: [{ [query.sort]: query.order }, { id: query.order }],
        take: query.take,
        skip: query.skip,
      }),
      prisma.sandboxProject.count({ where }),
    ]);
    return { items, total };
  },

  update(id: number, data: { name?: string; description?: string | null; isPublic?: boolean; networkPolicy?: NetworkPolicy }): Promise<ProjectRecord> {
    return getPrisma().sandboxProject.update({ where: { id }, data, select: projectFields });
  },

  /** The project's network policy; null when the project does not exist (any more). */
  async findNetworkPolicy(id: number): Promise<NetworkPolicy | null> {
    const row = await getPrisma().sandboxProject.findUnique({ where: { id }, select: { networkPolicy: true } });
    return row?.networkPolicy ?? null;
  },

  async delete(id: number): Promise<void> {
    await getPrisma().sandboxProject.deleteMany({ where: { id } });
  },

  /** Projects whose live container `userId` holds (whatever started it), other than `excludingProjectId`. */
  countHeldBy(userId: number, excludingProjectId: number): Promise<number> {
    return getPrisma().sandboxProject.count({ where: { containerHolderId: userId, containerId: { not: null }, id: { not: excludingProjectId } } });
  },

  /** Names who takes the project's next container; a live one keeps the holder that took it. */
  async claimHolder(id: number, userId: number): Promise<void> {
    await getPrisma().sandboxProject.updateMany({ where: { id, containerId: null }, data: { containerHolderId: userId } });
  },

  /** A container was bound to the project (the engine's bind notice). */
  async recordContainer(id: number, containerId: string): Promise<void> {
    await getPrisma().sandboxProject.updateMany({ where: { id }, data: { containerId, lastAccessedAt: new Date() } });
  },

  /** The project's binding to `containerId` ended; a newer container's row is left alone. */
  async forgetContainer(id: number, containerId: string): Promise<void> {
    await getPrisma().sandboxProject.updateMany({ where: { id, containerId }, data: { containerId: null } });
  },

  /** Forgets containers that no longer exist (a crash left their rows): `alive` are the ones Docker still has. */
  async forgetContainersOtherThan(alive: readonly string[]): Promise<number> {
    const { count } = await getPrisma().sandboxProject.updateMany({
      where: { containerId: { not: null, notIn: [...alive] } },
      data: { containerId: null },
    });
    return count;
  },

  /**
   * The project, its lastAccessedAt set in the same statement (UPDATE … RETURNING: one round trip),
   * if it exists and `ownerId` owns it (null: any owner, for admins); else null and nothing changed.
   */
  /**
   * Access and lastAccessedAt in one statement, committed without waiting for the WAL flush
   * (synchronous_commit off for this statement's own transaction only): the read part is exact,
   * and a touch lost to a crash of PostgreSQL itself costs nothing. Every execution starts here,
   * and a flushed commit cost 2-12 ms of its latency (issue 11 point 5). Sent without Prisma's
   * client (server/db/direct-query.ts).
   */
  async touchOwned(id: number, ownerId: number | null): Promise<ProjectRecord | null> {
    const rows = await directQuery<ProjectRecord>(
      `UPDATE sandbox_projects SET last_accessed_at = $3::timestamp, updated_at = $3::timestamp
       FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
       WHERE id = $1 AND ($2::int IS NULL OR user_id = $2::int)
       RETURNING id, name, description, user_id AS "userId", created_by_ai AS "createdByAi", template_type AS "templateType",
         is_public AS "isPublic", status, container_id AS "containerId", network_policy::text AS "networkPolicy",
         last_accessed_at AS "lastAccessedAt", created_at AS "createdAt", updated_at AS "updatedAt"`,
      [id, ownerId, utcTimestamp(new Date())],
    );
    return rows[0] ?? null;
  },

  async touch(id: number): Promise<void> {
    await getPrisma().sandboxProject.updateMany({ where: { id }, data: { lastAccessedAt: new Date() } });
  },

  findById(id: number): Promise<ProjectRecord | null> {
    return getPrisma().sandboxProject.findUnique({ where: { id }, select: projectFields });
  },

  async setContainer(id: number, containerId: string | null): Promise<void> {
    await getPrisma().sandboxProject.updateMany({ where: { id }, data: { containerId, lastAccessedAt: new Date() } });
  },
};
