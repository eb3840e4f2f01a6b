import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";
import { projectDto } from "@/server/api/schemas/dto.schema";

export const projectIdInput = z.object({ projectId: projectIdSchema });
export const getProjectOutput = projectDto.extend({ fileCount: z.number(), sizeBytes: z.number() });
