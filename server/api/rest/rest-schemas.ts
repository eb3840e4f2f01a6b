import { z } from "zod";
import {
  aiPersonalityInput,
  descriptionSchema,
  encodingSchema,
  fileContentSchema,
  filePathSchema,
  noNul,
  projectNameSchema,
  timeoutSecondsSchema,
} from "@/server/api/schemas/common.schema";

// The seed's REST bodies, snake_case as the seed wrote them. Unknown fields are refused so a
// misspelt field ("isEntryPoint") is an error, not silently ignored.

export const createProjectBody = z.strictObject({
  name: projectNameSchema,
  description: descriptionSchema,
  template: z.string().max(100).nullish(),
  is_public: z.boolean().optional(),
  ai_personality: aiPersonalityInput,
});

export const writeFileBody = z.strictObject({
  path: filePathSchema,
  content: fileContentSchema,
  encoding: encodingSchema,
  is_entry_point: z.boolean().optional(),
  ai_personality: aiPersonalityInput,
});

export const executeBody = z
  .strictObject({
    command: z
      .string()
      .min(1, "must not be empty")
      .max(65_536)
      .refine(...noNul)
      .optional(),
    /** A snippet instead of a command, with its language. */
    code: z
      .string()
      .max(16 * 1024 * 1024)
      .optional(),
    language: z.enum(["node", "typescript", "python"]).optional(),
    type: z.enum(["run", "test", "build"]).optional(),
    /** Seconds, as in the seed. */
    timeout: timeoutSecondsSchema.optional(),
    ai_personality: aiPersonalityInput,
  })
  .refine((b) => (b.command === undefined) !== (b.code === undefined), { message: "send either command, or code with language" })
  .refine((b) => b.code === undefined || b.language !== undefined, { message: "code needs a language (node, typescript or python)", path: ["language"] });

/** POST …/processes: a command and the port it serves, or neither for the template's dev server. */
export const startProcessBody = z
  .strictObject({
    command: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(10_000)
      .refine(...noNul)
      .optional(),
    port: z.number({ error: "must be a TCP port" }).int().min(1).max(65535).nullish(),
    ai_personality: aiPersonalityInput,
  })
  .refine((b) => b.command !== undefined || b.port == null, {
    message: "a port needs its command (omit both for the template's dev server)",
    path: ["command"],
  });

/** GET /api/sandbox/projects: ?include_public=1 adds everyone's public projects. Other parameters are ignored. */
export const listProjectsQuery = z.object({
  include_public: z.string().optional().meta({ description: '"1" adds everyone\'s public projects' }),
});
