import { z } from "zod";
import { descriptionSchema, projectIdSchema, projectNameSchema } from "@/server/api/schemas/common.schema";
import { projectDto } from "@/server/api/schemas/dto.schema";

export const updateProjectInput = z.object({
  projectId: projectIdSchema,
  name: projectNameSchema.optional(),
  description: descriptionSchema,
  isPublic: z.boolean().optional(),
});
export const updateProjectOutput = projectDto;
