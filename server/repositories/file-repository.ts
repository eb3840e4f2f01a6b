import { getPrisma, type Prisma } from "@/server/db/client";
import { isEscapedPath, nameOfPath } from "@/server/sandbox/byte-names";
import { type CheckpointDraft, checkpointRepository } from "./checkpoint-repository";

const fileMeta = {
  id: true,
  filePath: true,
  pathBytes: true,
  fileType: true,
  sizeBytes: true,
  encoding: true,
  version: true,
  isEntryPoint: true,
  isExecutable: true,
  createdByAi: true,
  createdAt: true,
  updatedAt: true,
} as const;
const fileWithContent = { ...fileMeta, content: true } as const;

type PathBase64 = {
  /**
   * For a name that is not valid UTF-8, its exact bytes in base64 (filePath is then its escaped
   * path, server/sandbox/byte-names.ts); null when filePath is the name.
   */
  pathBase64: string | null;
};
export type FileMeta = Omit<Prisma.SandboxFileGetPayload<{ select: typeof fileMeta }>, "pathBytes"> & PathBase64;
export type FileRecord = Omit<Prisma.SandboxFileGetPayload<{ select: typeof fileWithContent }>, "pathBytes"> & PathBase64;

/** The row as callers see it: the name's bytes (when stored) as base64, ready for JSON. */
function withPathBase64<T extends { pathBytes: Uint8Array | null }>(row: T): Omit<T, "pathBytes"> & PathBase64 {
  const { pathBytes, ...rest } = row;
  return { ...rest, pathBase64: pathBytes ? Buffer.from(pathBytes).toString("base64") : null };
}

/** The path_bytes column for a stored path: the exact name for an escaped path, nothing for a UTF-8 name. */
export function storedNameBytes(path: string): { pathBytes?: Uint8Array<ArrayBuffer> } {
  if (!isEscapedPath(path)) return {};
  const name = nameOfPath(path);
  // Callers check paths first (assertFilePath, the engine); this is the last line before the row.
  if (!name) throw new Error(`refusing to store an unacceptable path ${JSON.stringify(path.slice(0, 120))}`);
  return { pathBytes: new Uint8Array(name) };
}

export interface FileUpsert {
  filePath: string;
  content: string;
  encoding: string;
  sizeBytes: number;
  /** SHA-256 (hex) of the decoded content. */
  version: string;
  fileType: string | null;
  isExecutable?: boolean;
  isEntryPoint?: boolean;
  createdByAi?: string | null;
  /**
   * What the write was based on: the version the file must still have (a write of the bytes
   * already stored passes too), null when it must not exist yet, undefined to write whatever is there.
   */
  baseVersion?: string | null;
}

/** A conditional write whose base is no longer what is stored (currentVersion null: no such file). */
export interface StoredConflict {
  path: string;
  baseVersion: string | null;
  currentVersion: string | null;
}

/** A save from a container refused: the instance no longer holds the project at that epoch (another took it over). */
export class ProjectTakenError extends Error {
  constructor(projectId: number, instanceId: string) {
    super(`project ${projectId}: not saved, instance ${instanceId} no longer holds it (another instance took it over)`);
    this.name = "ProjectTakenError";
  }
}

export type ApplyResult =
  | {
      ok: true;
      /** Paths whose bytes changed (or were created): a write of identical bytes is not news. */
      changed: string[];
      /** The checkpoint stored with the change set, when one was given. */
      checkpointId: number | null;
    }
  | { ok: false; conflicts: StoredConflict[] };

class Conflicts extends Error {
  constructor(readonly conflicts: StoredConflict[]) {
    super("write conflicts");
  }
}

// A change set of 1000 files on a busy machine must not hit Prisma's defaults (5 s, 2 s to start).
const TRANSACTION_LIMITS = { timeout: 60_000, maxWait: 10_000 };

export const fileRepository = {
  async listWithContent(projectId: number): Promise<FileRecord[]> {
    return (await getPrisma().sandboxFile.findMany({ where: { projectId }, select: fileWithContent, orderBy: { filePath: "asc" } })).map(withPathBase64);
  },

  async listMeta(projectId: number): Promise<FileMeta[]> {
    return (await getPrisma().sandboxFile.findMany({ where: { projectId }, select: fileMeta, orderBy: { filePath: "asc" } })).map(withPathBase64);
  },

  async findMany(projectId: number, filePaths: string[]): Promise<FileRecord[]> {
    if (!filePaths.length) return [];
    return (await getPrisma().sandboxFile.findMany({ where: { projectId, filePath: { in: filePaths } }, select: fileWithContent })).map(withPathBase64);
  },

  async find(projectId: number, filePath: string): Promise<FileRecord | null> {
    const row = await getPrisma().sandboxFile.findUnique({ where: { projectId_filePath: { projectId, filePath } }, select: fileWithContent });
    return row && withPathBase64(row);
  },

  async totalSize(projectId: number, excludingPaths: string[] = []): Promise<number> {
    const result = await getPrisma().sandboxFile.aggregate({ where: { projectId, filePath: { notIn: excludingPaths } }, _sum: { sizeBytes: true } });
    return result._sum.sizeBytes ?? 0;
  },

  /**
   * Upserts and deletes in one transaction, so the durable copy never holds half of a change
   * set. `createdByAi` and `isEntryPoint` are only written when given: an execution rewriting
   * a file keeps who created it and whether it is the entry point.
   *
   * A write with a base version is a compare-and-set in one statement (UPDATE … WHERE version IN
   * (base, new)): of two concurrent writes from the same base, PostgreSQL re-checks the second's
   * WHERE after the first commits, so exactly one wins. Any conflict rolls the whole set back.
   * A delete named in `deleteVersions` is guarded the same way: it removes the file only while it
   * still holds that version (one that is gone already is no conflict).
   */
  async applyChanges(
    projectId: number,
    upserts: FileUpsert[],
    deletes: string[],
    checkpoint?: CheckpointDraft,
    deleteVersions: Readonly<Record<string, string>> = {},
    owner?: { instanceId: string; epoch: number },
  ): Promise<ApplyResult> {
    try {
      const result = await getPrisma().$transaction(async (tx) => {
        // A container's files are saved only by the project's owner at the epoch it holds
        // (services/cluster/SCALE.md, fencing). FOR SHARE: a takeover waits for this save to
        // commit, so either the save lands before the new owner loads, or it is refused.
        if (owner) {
          const held = await tx.$queryRaw<
            unknown[]
          >`SELECT 1 FROM project_owners WHERE project_id = ${projectId}::int AND instance_id = ${owner.instanceId} AND epoch = ${owner.epoch}::bigint FOR SHARE`;
          if (!held.length) throw new ProjectTakenError(projectId, owner.instanceId);
        }
        const paths = upserts.map((u) => u.filePath);
        const before = new Map(
          paths.length
            ? (await tx.sandboxFile.findMany({ where: { projectId, filePath: { in: paths } }, select: { filePath: true, version: true } })).map((f) => [
                f.filePath,
                f.version,
              ])
            : [],
        );
        const conflicts: StoredConflict[] = [];
        const unguarded = deletes.filter((path) => deleteVersions[path] === undefined);
        if (unguarded.length) await tx.sandboxFile.deleteMany({ where: { projectId, filePath: { in: unguarded } } });
        for (const path of deletes) {
          const version = deleteVersions[path];
          if (version === undefined) continue;
          const removed = (await tx.sandboxFile.deleteMany({ where: { projectId, filePath: path, version } })).count;
          if (!removed && (await tx.sandboxFile.count({ where: { projectId, filePath: path } })))
            conflicts.push({ path, baseVersion: version, currentVersion: null });
        }
        for (const f of upserts) {
          const content = {
            content: f.content,
            encoding: f.encoding,
            sizeBytes: f.sizeBytes,
            version: f.version,
            fileType: f.fileType,
            ...(f.isExecutable === undefined ? {} : { isExecutable: f.isExecutable }),
          };
          const update = { ...content, ...(f.isEntryPoint === undefined ? {} : { isEntryPoint: f.isEntryPoint }) };
          const create = {
            projectId,
            filePath: f.filePath,
            // A name that is not UTF-8 keeps its exact bytes beside its escaped path (the table's
            // CHECK refuses one without the other).
            ...storedNameBytes(f.filePath),
            ...content,
            ...(f.isEntryPoint === undefined ? {} : { isEntryPoint: f.isEntryPoint }),
            ...(f.createdByAi === undefined ? {} : { createdByAi: f.createdByAi }),
          };
          const where = { projectId, filePath: f.filePath };
          if (f.baseVersion === undefined) {
            await tx.sandboxFile.upsert({ where: { projectId_filePath: where }, create, update, select: { id: true } });
            continue;
          }
          let written: number;
          if (f.baseVersion === null) {
            written = (await tx.sandboxFile.createMany({ data: [create], skipDuplicates: true })).count;
            // It exists already: fine only when it holds exactly these bytes (a retried create).
            if (!written) written = (await tx.sandboxFile.updateMany({ where: { ...where, version: f.version }, data: update })).count;
          } else {
            written = (await tx.sandboxFile.updateMany({ where: { ...where, version: { in: [f.baseVersion, f.version] } }, data: update })).count;
          }
          if (!written) conflicts.push({ path: f.filePath, baseVersion: f.baseVersion, currentVersion: null });
        }
        if (conflicts.length) {
          const current = await tx.sandboxFile.findMany({
            where: { projectId, filePath: { in: conflicts.map((c) => c.path) } },
            select: { filePath: true, version: true },
          });
          const versions = new Map(current.map((f) => [f.filePath, f.version]));
          throw new Conflicts(conflicts.map((c) => ({ ...c, currentVersion: versions.get(c.path) ?? null })));
        }
        // History in the same transaction: it never names a change that did not happen.
        const checkpointId = checkpoint ? await checkpointRepository.record(tx, checkpoint) : null;
        return { changed: upserts.filter((u) => before.get(u.filePath) !== u.version).map((u) => u.filePath), checkpointId };
      }, TRANSACTION_LIMITS);
      return { ok: true, ...result };
    } catch (err) {
      if (err instanceof Conflicts) return { ok: false, conflicts: err.conflicts };
      throw err;
    }
  },

  async clearEntryPoint(projectId: number, exceptPath: string): Promise<void> {
    await getPrisma().sandboxFile.updateMany({ where: { projectId, isEntryPoint: true, filePath: { not: exceptPath } }, data: { isEntryPoint: false } });
  },
};
