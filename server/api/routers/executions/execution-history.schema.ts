import { z } from "zod";
import { executionIdSchema, projectIdSchema } from "@/server/api/schemas/common.schema";
import { executionSummaryDto } from "@/server/api/schemas/dto.schema";

export const executionHistoryInput = z.object({
  projectId: projectIdSchema,
  limit: z.number().int().min(1).max(100).default(20),
  beforeId: executionIdSchema.optional(),
});
export const executionHistoryOutput = z.array(executionSummaryDto);
