import { z } from "zod";
import { executionIdSchema } from "@/server/api/schemas/common.schema";

export const executionIdInput = z.object({ executionId: executionIdSchema });
export const cancelExecutionOutput = z.object({ cancelled: z.boolean() });
