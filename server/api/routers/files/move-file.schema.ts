import { z } from "zod";
import { aiPersonalityInput, filePathSchema, projectIdSchema } from "@/server/api/schemas/common.schema";

export const moveFileInput = z.object({ projectId: projectIdSchema, from: filePathSchema, to: filePathSchema, aiPersonality: aiPersonalityInput });
export const moveFileOutput = z.object({ moved: z.array(z.string()) });
