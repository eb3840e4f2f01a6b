import { z } from "zod";
import { aiPersonalityInput, projectIdSchema } from "@/server/api/schemas/common.schema";

export const startDevServerInput = z.object({ projectId: projectIdSchema, aiPersonality: aiPersonalityInput });
