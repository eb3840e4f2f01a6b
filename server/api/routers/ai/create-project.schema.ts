import { z } from "zod";
import { aiPersonalityInput, descriptionSchema, projectNameSchema } from "@/server/api/schemas/common.schema";

export const aiCreateProjectInput = z.object({
  name: projectNameSchema,
  description: descriptionSchema,
  template: z.string().max(100),
  aiPersonality: aiPersonalityInput,
});
