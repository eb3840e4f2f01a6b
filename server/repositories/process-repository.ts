import { getPrisma, Prisma } from "@/server/db/client";
import { readStoredOutput, storedOutput } from "./stored-output";

const processFields = {
  id: true,
  projectId: true,
  userId: true,
  command: true,
  image: true,
  port: true,
  previewPort: true,
  status: true,
  exitCode: true,
  startedByAi: true,
  startedAt: true,
  endedAt: true,
} as const;

export type ProcessRecord = Prisma.SandboxProcessGetPayload<{ select: typeof processFields }>;
/** `output` as text (invalid UTF-8 as U+FFFD, NUL kept); `outputBase64` its exact bytes when the text is not them. */
export type ProcessWithOutput = ProcessRecord & { output: string; outputBase64: string | null };

export type ProcessEndStatus = "exited" | "failed" | "stopped";

export const processRepository = {
  /** The server instance running the process; null when it has ended (or predates instance records). */
  async runningOn(id: number): Promise<string | null> {
    const row = await getPrisma().sandboxProcess.findUnique({ where: { id }, select: { instanceId: true, status: true } });
    return row && row.status === "running" ? row.instanceId : null;
  },

  /** The running process that holds a preview slot, and its instance; null when none does. */
  runningWithSlot(slot: number): Promise<{ id: number; projectId: number; port: number | null; image: string; instanceId: string | null } | null> {
    return getPrisma().sandboxProcess.findFirst({
      where: { previewPort: slot, status: "running" },
      select: { id: true, projectId: true, port: true, image: true, instanceId: true },
    });
  },

  start(data: {
    projectId: number;
    userId: number | null;
    command: string;
    image: string;
    port: number | null;
    startedByAi: string | null;
    /** The server instance running it, for the record sweeper. */
    instanceId?: string | null;
  }): Promise<ProcessRecord> {
    return getPrisma().sandboxProcess.create({ data: { ...data, status: "running" }, select: processFields });
  },

  /** Records the preview's slot; null when a running process (of any instance) already holds it. */
  async claimPreviewSlot(id: number, slot: number): Promise<ProcessRecord | null> {
    try {
      return await this.setPreviewPort(id, slot);
    } catch (e) {
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") return null;
      throw e;
    }
  },

  setPreviewPort(id: number, previewPort: number | null): Promise<ProcessRecord> {
    return getPrisma().sandboxProcess.update({ where: { id }, data: { previewPort }, select: processFields });
  },

  /**
   * Records the end once; a row already ended (or deleted with its project) is left alone.
   * `output` is the byte-exact text of server/sandbox/byte-text.ts: stored exactly (stored-output.ts).
   */
  async finish(id: number, end: { status: ProcessEndStatus; exitCode: number | null; output: string }): Promise<void> {
    const output = storedOutput(end.output);
    await getPrisma().sandboxProcess.updateMany({
      where: { id, status: "running" },
      data: { ...end, output: output.text, outputBytes: output.bytes, previewPort: null, endedAt: new Date() },
    });
  },

  findById(id: number): Promise<ProcessRecord | null> {
    return getPrisma().sandboxProcess.findUnique({ where: { id }, select: processFields });
  },

  async findWithOutput(id: number): Promise<ProcessWithOutput | null> {
    const row = await getPrisma().sandboxProcess.findUnique({ where: { id }, select: { ...processFields, output: true, outputBytes: true } });
    if (!row) return null;
    const { outputBytes, ...rest } = row;
    const output = readStoredOutput(row.output, outputBytes);
    return { ...rest, output: output.text, outputBase64: output.base64 };
  },

  /** Newest first. */
  listForProject(projectId: number, take: number): Promise<ProcessRecord[]> {
    return getPrisma().sandboxProcess.findMany({ where: { projectId }, orderBy: { id: "desc" }, take, select: processFields });
  },

  countRunning(projectId: number): Promise<number> {
    return getPrisma().sandboxProcess.count({ where: { projectId, status: "running" } });
  },
};
