import { z } from "zod";
import { aiPersonalityInput, projectIdSchema, timeoutSecondsSchema } from "@/server/api/schemas/common.schema";

export const runTestsInput = z.object({ projectId: projectIdSchema, timeoutSeconds: timeoutSecondsSchema.optional(), aiPersonality: aiPersonalityInput });
