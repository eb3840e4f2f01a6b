import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";

export const clearCommandHistoryInput = z.object({ projectId: projectIdSchema });
export const clearCommandHistoryOutput = z.object({ deleted: z.number() });
