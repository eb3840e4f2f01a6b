import { getPrisma, type Prisma } from "@/server/db/client";

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
  lastAccessedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

export type ProjectRecord = Prisma.SandboxProjectGetPayload<{ select: typeof projectFields }>;

export const projectRepository = {
  create(data: { name: string; description: string | null; userId: number; createdByAi: string | null; templateType: string | null; isPublic?: boolean }): Promise<ProjectRecord> {
    return getPrisma().sandboxProject.create({ data, select: projectFields });
  },

  findById(id: number): Promise<ProjectRecord | null> {
    return getPrisma().sandboxProject.findUnique({ where: { id }, select: projectFields });
  },

  async setContainer(id: number, containerId: string | null): Promise<void> {
    await getPrisma().sandboxProject.updateMany({ where: { id }, data: { containerId, lastAccessedAt: new Date() } });
  },
};
