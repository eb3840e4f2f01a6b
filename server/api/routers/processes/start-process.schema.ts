import { z } from "zod";
import { aiPersonalityInput, projectIdSchema } from "@/server/api/schemas/common.schema";
import { containerPortSchema, processCommandSchema } from "./processes.schema";

export const startProcessInput = z.object({
  projectId: projectIdSchema,
  command: processCommandSchema,
  /** Omit for a process that serves nothing (a worker, a watcher). */
  port: containerPortSchema.nullish(),
  aiPersonality: aiPersonalityInput,
});
