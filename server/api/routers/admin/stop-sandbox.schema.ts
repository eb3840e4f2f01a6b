import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";

export const stopSandboxInput = z.object({ projectId: projectIdSchema });
export const stopSandboxOutput = z.object({ released: z.boolean() });
