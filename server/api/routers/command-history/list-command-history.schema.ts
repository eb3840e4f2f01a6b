import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";

export const listCommandHistoryInput = z.object({
  projectId: projectIdSchema,
  limit: z.number().int().min(1).max(500).default(200),
});
/** Oldest first: the last element is what Up recalls first. */
export const listCommandHistoryOutput = z.object({ commands: z.array(z.string()) });
