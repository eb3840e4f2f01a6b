import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";

/** Longer commands still run; they are just not worth recalling with Up. */
export const HISTORY_COMMAND_MAX = 4096;

export const listCommandHistoryInput = z.object({
  projectId: projectIdSchema,
  limit: z.number().int().min(1).max(500).default(200),
});
/** Oldest first: the last element is what Up recalls first. */
export const listCommandHistoryOutput = z.object({ commands: z.array(z.string()) });

export const addCommandHistoryInput = z.object({
  projectId: projectIdSchema,
  command: z
    .string()
    .max(HISTORY_COMMAND_MAX, `must be at most ${HISTORY_COMMAND_MAX} characters`)
    .refine((c) => c.trim().length > 0, "must not be blank")
    .refine((c) => !c.includes("\0"), "must not contain NUL"),
});
export const addCommandHistoryOutput = z.object({ added: z.boolean() });

export const clearCommandHistoryInput = z.object({ projectId: projectIdSchema });
export const clearCommandHistoryOutput = z.object({ deleted: z.number() });
