import { z } from "zod";
import { aiPersonalityInput, descriptionSchema, projectNameSchema } from "@/server/api/schemas/common.schema";
import { projectDto } from "@/server/api/schemas/dto.schema";

export const createProjectInput = z.object({
  name: projectNameSchema,
  description: descriptionSchema,
  /** A template id (react-app, node-api, vue-app, python-script) or the seed's alias; absent for an empty project. */
  template: z.string().max(100).nullish(),
  isPublic: z.boolean().optional(),
  aiPersonality: aiPersonalityInput,
});
export const createProjectOutput = projectDto;
