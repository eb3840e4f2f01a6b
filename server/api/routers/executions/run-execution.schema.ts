import { z } from "zod";
import { aiPersonalityInput, noNul, projectIdSchema, timeoutSecondsSchema } from "@/server/api/schemas/common.schema";

const common = {
  projectId: projectIdSchema,
  type: z.enum(["run", "test", "build"]).optional(),
  /** Seconds; defaults to SANDBOX_DEFAULT_TIMEOUT, refused above SANDBOX_MAX_TIMEOUT. */
  timeoutSeconds: timeoutSecondsSchema.optional(),
  aiPersonality: aiPersonalityInput,
};

export const runExecutionInput = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("command"),
    command: z
      .string()
      .min(1, "must not be empty")
      .max(65_536)
      .refine(...noNul),
    image: z.enum(["node", "python"]).optional(),
    ...common,
  }),
  z.object({ kind: z.literal("code"), language: z.enum(["node", "typescript", "python"]), code: z.string().max(16 * 1024 * 1024), ...common }),
]);
export type RunExecutionInput = z.infer<typeof runExecutionInput>;

export const runExecutionOutput = z.object({ executionId: z.number() });
