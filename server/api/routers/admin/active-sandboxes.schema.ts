import { z } from "zod";

export const activeSandboxesOutput = z.array(
  z.object({
    projectId: z.string(),
    projectName: z.string().nullable(),
    ownerEmail: z.string().nullable(),
    createdByAi: z.string().nullable(),
    lastRunByAi: z.string().nullable(),
    containerId: z.string(),
    image: z.string(),
    ageMs: z.number(),
    idleMs: z.number(),
    busy: z.number(),
    cpuPercent: z.number().nullable(),
    memoryMb: z.number().nullable(),
    diskMb: z.number().nullable(),
    pids: z.number().nullable(),
  }),
);
