import { getPrisma, type Prisma } from "@/server/db/client";

/** A file's state on one side of a checkpoint; null on a side means the file did not exist. */
export interface StoredFileState {
  hash: string;
  encoding: string;
  executable: boolean;
}

export interface CheckpointFileDraft {
  filePath: string;
  before: StoredFileState | null;
  after: StoredFileState | null;
}

export interface CheckpointDraft {
  projectId: number;
  userId: number | null;
  aiPersonality: string | null;
  source: string;
  description: string;
  restoredFrom?: number | null;
  files: CheckpointFileDraft[];
  /** Compressed content for the hashes not yet stored (content-addressed, so duplicates are skipped). */
  blobs: { hash: string; sizeBytes: number; data: Uint8Array<ArrayBuffer> }[];
}

const checkpointSummary = {
  id: true,
  projectId: true,
  userId: true,
  aiPersonality: true,
  source: true,
  description: true,
  restoredFrom: true,
  createdAt: true,
  user: { select: { name: true, email: true } },
  files: {
    select: {
      filePath: true,
      beforeHash: true,
      beforeEncoding: true,
      beforeExecutable: true,
      afterHash: true,
      afterEncoding: true,
      afterExecutable: true,
    },
    orderBy: { filePath: "asc" },
  },
} as const satisfies Prisma.CheckpointSelect;

export type CheckpointRecord = Prisma.CheckpointGetPayload<{ select: typeof checkpointSummary }>;
export type CheckpointFileRecord = CheckpointRecord["files"][number];

export const checkpointRepository = {
  /** Stores a checkpoint inside the caller's transaction (so files and history commit together). */
  async record(tx: Prisma.TransactionClient, draft: CheckpointDraft): Promise<number> {
    if (draft.blobs.length) await tx.checkpointBlob.createMany({ data: draft.blobs.map((b) => ({ projectId: draft.projectId, ...b })), skipDuplicates: true });
    const created = await tx.checkpoint.create({
      data: {
        projectId: draft.projectId,
        userId: draft.userId,
        aiPersonality: draft.aiPersonality,
        source: draft.source,
        description: draft.description,
        restoredFrom: draft.restoredFrom ?? null,
        files: {
          createMany: {
            data: draft.files.map((f) => ({
              projectId: draft.projectId,
              filePath: f.filePath,
              beforeHash: f.before?.hash ?? null,
              beforeEncoding: f.before?.encoding ?? null,
              beforeExecutable: f.before?.executable ?? null,
              afterHash: f.after?.hash ?? null,
              afterEncoding: f.after?.encoding ?? null,
              afterExecutable: f.after?.executable ?? null,
            })),
          },
        },
      },
      select: { id: true },
    });
    return created.id;
  },

  async existingHashes(projectId: number, hashes: string[]): Promise<Set<string>> {
    if (!hashes.length) return new Set();
    const rows = await getPrisma().checkpointBlob.findMany({ where: { projectId, hash: { in: hashes } }, select: { hash: true } });
    return new Set(rows.map((r) => r.hash));
  },

  list(projectId: number, limit: number, beforeId?: number): Promise<CheckpointRecord[]> {
    return getPrisma().checkpoint.findMany({
      where: { projectId, ...(beforeId === undefined ? {} : { id: { lt: beforeId } }) },
      select: checkpointSummary,
      orderBy: { id: "desc" },
      take: limit,
    });
  },

  find(projectId: number, id: number): Promise<CheckpointRecord | null> {
    return getPrisma().checkpoint.findFirst({ where: { projectId, id }, select: checkpointSummary });
  },

  /** Every recorded file change of a project, oldest first: what a restore replays. */
  /** The newest checkpoint's id (0: none yet). */
  async latestId(projectId: number): Promise<number> {
    return (await getPrisma().checkpoint.findFirst({ where: { projectId }, orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0;
  },

  /** Paths changed by the checkpoints recorded after `afterId`, except `ownId`'s. */
  async pathsChangedSince(projectId: number, afterId: number, ownId: number | null): Promise<Set<string>> {
    const rows = await getPrisma().checkpointFile.findMany({
      where: { projectId, checkpointId: ownId === null ? { gt: afterId } : { gt: afterId, not: ownId } },
      select: { filePath: true },
      distinct: ["filePath"],
    });
    return new Set(rows.map((r) => r.filePath));
  },

  fileHistory(projectId: number) {
    return getPrisma().checkpointFile.findMany({
      where: { projectId },
      select: {
        checkpointId: true,
        filePath: true,
        beforeHash: true,
        beforeEncoding: true,
        beforeExecutable: true,
        afterHash: true,
        afterEncoding: true,
        afterExecutable: true,
      },
      orderBy: [{ checkpointId: "asc" }],
    });
  },

  async blobs(projectId: number, hashes: string[]): Promise<Map<string, Uint8Array>> {
    if (!hashes.length) return new Map();
    const rows = await getPrisma().checkpointBlob.findMany({ where: { projectId, hash: { in: [...new Set(hashes)] } }, select: { hash: true, data: true } });
    return new Map(rows.map((r) => [r.hash, r.data]));
  },

  /** Keeps the newest `keep` checkpoints of a project and drops the content no remaining checkpoint names. */
  async prune(projectId: number, keep: number): Promise<number> {
    const prisma = getPrisma();
    const cutoff = await prisma.checkpoint.findFirst({ where: { projectId }, orderBy: { id: "desc" }, skip: keep, select: { id: true } });
    if (!cutoff) return 0;
    const { count } = await prisma.checkpoint.deleteMany({ where: { projectId, id: { lte: cutoff.id } } });
    await prisma.$executeRaw`DELETE FROM checkpoint_blobs b WHERE b.project_id = ${projectId}
      AND NOT EXISTS (SELECT 1 FROM checkpoint_files f WHERE f.project_id = ${projectId} AND (f.before_hash = b.hash OR f.after_hash = b.hash))`;
    return count;
  },

  /** Bytes the project's history takes in PostgreSQL (blobs as stored, plus the rows naming them). */
  async storageBytes(projectId: number): Promise<{ blobBytes: number; blobCount: number; checkpointCount: number; fileRowCount: number }> {
    const prisma = getPrisma();
    const [blob] = await prisma.$queryRaw<{ bytes: bigint | null; count: bigint }[]>`
      SELECT sum(pg_column_size(b.*))::bigint AS bytes, count(*)::bigint AS count FROM checkpoint_blobs b WHERE b.project_id = ${projectId}`;
    const checkpointCount = await prisma.checkpoint.count({ where: { projectId } });
    const fileRowCount = await prisma.checkpointFile.count({ where: { projectId } });
    return { blobBytes: Number(blob?.bytes ?? 0), blobCount: Number(blob?.count ?? 0), checkpointCount, fileRowCount };
  },
};
