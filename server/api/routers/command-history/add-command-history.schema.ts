import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";

/** Longer commands still run; they are just not worth recalling with Up. */
export const HISTORY_COMMAND_MAX = 4096;

export const addCommandHistoryInput = z.object({
  projectId: projectIdSchema,
  command: z
    .string()
    .max(HISTORY_COMMAND_MAX, `must be at most ${HISTORY_COMMAND_MAX} characters`)
    .refine((c) => c.trim().length > 0, "must not be blank")
    .refine((c) => !c.includes("\0"), "must not contain NUL"),
});
export const addCommandHistoryOutput = z.object({ added: z.boolean() });
