import { z } from "zod";
import { descriptionSchema, projectIdSchema, projectNameSchema } from "@/server/api/schemas/common.schema";
import { projectDto } from "@/server/api/schemas/dto.schema";
import { NETWORK_POLICIES } from "@/server/sandbox/egress";

export const updateProjectInput = z.object({
  projectId: projectIdSchema,
  name: projectNameSchema.optional(),
  description: descriptionSchema,
  isPublic: z.boolean().optional(),
  /** "open" only for admins (FORBIDDEN otherwise). */
  networkPolicy: z.enum(NETWORK_POLICIES).optional(),
});
export const updateProjectOutput = projectDto;
