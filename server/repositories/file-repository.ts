import { getPrisma, type Prisma } from "@/server/db/client";
import { type CheckpointDraft, checkpointRepository } from "./checkpoint-repository";

const fileMeta = {
  id: true,
  filePath: true,
  fileType: true,
  sizeBytes: true,
  encoding: true,
  isEntryPoint: true,
  isExecutable: true,
  createdByAi: true,
  createdAt: true,
  updatedAt: true,
} as const;
const fileWithContent = { ...fileMeta, content: true } as const;

export type FileMeta = Prisma.SandboxFileGetPayload<{ select: typeof fileMeta }>;
export type FileRecord = Prisma.SandboxFileGetPayload<{ select: typeof fileWithContent }>;

export interface FileUpsert {
  filePath: string;
  content: string;
  encoding: string;
  sizeBytes: number;
  fileType: string | null;
  isExecutable?: boolean;
  isEntryPoint?: boolean;
  createdByAi?: string | null;
}

export const fileRepository = {
  listWithContent(projectId: number): Promise<FileRecord[]> {
    return getPrisma().sandboxFile.findMany({ where: { projectId }, select: fileWithContent, orderBy: { filePath: "asc" } });
  },

  listMeta(projectId: number): Promise<FileMeta[]> {
    return getPrisma().sandboxFile.findMany({ where: { projectId }, select: fileMeta, orderBy: { filePath: "asc" } });
  },

  findMany(projectId: number, filePaths: string[]): Promise<FileRecord[]> {
    if (!filePaths.length) return Promise.resolve([]);
    return getPrisma().sandboxFile.findMany({ where: { projectId, filePath: { in: filePaths } }, select: fileWithContent });
  },

  find(projectId: number, filePath: string): Promise<FileRecord | null> {
    return getPrisma().sandboxFile.findUnique({ where: { projectId_filePath: { projectId, filePath } }, select: fileWithContent });
  },

  async totalSize(projectId: number, excludingPaths: string[] = []): Promise<number> {
    const result = await getPrisma().sandboxFile.aggregate({ where: { projectId, filePath: { notIn: excludingPaths } }, _sum: { sizeBytes: true } });
    return result._sum.sizeBytes ?? 0;
  },

  /**
   * Upserts and deletes in one transaction, so the durable copy never holds half of a change
   * set. `createdByAi` and `isEntryPoint` are only written when given: an execution rewriting
   * a file keeps who created it and whether it is the entry point. A checkpoint, if given, is
   * stored in the same transaction: history never names a change that did not happen.
   */
  async applyChanges(projectId: number, upserts: FileUpsert[], deletes: string[], checkpoint?: CheckpointDraft): Promise<number | null> {
    const prisma = getPrisma();
    const recorded = checkpoint ? checkpointRepository.recordStatements(checkpoint) : [];
    const statements: Prisma.PrismaPromise<unknown>[] = [
      ...(deletes.length ? [prisma.sandboxFile.deleteMany({ where: { projectId, filePath: { in: deletes } } })] : []),
      ...upserts.map((f) => {
        const content = {
          content: f.content,
          encoding: f.encoding,
          sizeBytes: f.sizeBytes,
          fileType: f.fileType,
          ...(f.isExecutable === undefined ? {} : { isExecutable: f.isExecutable }),
        };
        const flags = {
          ...(f.isEntryPoint === undefined ? {} : { isEntryPoint: f.isEntryPoint }),
          ...(f.createdByAi === undefined ? {} : { createdByAi: f.createdByAi }),
        };
        return prisma.sandboxFile.upsert({
          where: { projectId_filePath: { projectId, filePath: f.filePath } },
          create: { projectId, filePath: f.filePath, ...content, ...flags },
          update: { ...content, ...(f.isEntryPoint === undefined ? {} : { isEntryPoint: f.isEntryPoint }) },
          select: { id: true },
        });
      }),
      ...recorded,
    ];
    const results = await prisma.$transaction(statements);
    return checkpoint ? (results.at(-1) as { id: number }).id : null;
  },

  async clearEntryPoint(projectId: number, exceptPath: string): Promise<void> {
    await getPrisma().sandboxFile.updateMany({ where: { projectId, isEntryPoint: true, filePath: { not: exceptPath } }, data: { isEntryPoint: false } });
  },
};
