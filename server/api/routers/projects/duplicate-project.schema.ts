import { z } from "zod";
import { aiPersonalityInput, projectIdSchema, projectNameSchema } from "@/server/api/schemas/common.schema";
import { projectDto } from "@/server/api/schemas/dto.schema";

export const duplicateProjectInput = z.object({ projectId: projectIdSchema, name: projectNameSchema.optional(), aiPersonality: aiPersonalityInput });
export const duplicateProjectOutput = projectDto;
