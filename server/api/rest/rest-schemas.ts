import { z } from "zod";
import { MAX_FILE_SIZE_CEILING } from "@/lib/env";
import {
  aiPersonalityInput,
  baseVersionSchema,
  descriptionSchema,
  encodingSchema,
  fileContentSchema,
  filePathSchema,
  noNul,
  projectNameSchema,
  timeoutSecondsSchema,
} from "@/server/api/schemas/common.schema";
import { restObject } from "./unknown-fields";

// The seed's REST bodies, snake_case as the seed wrote them. Unknown fields are refused so a
// misspelt field ("isEntryPoint") is an error, not silently ignored; the refusal suggests the
// field meant ("did you mean `is_entry_point`?", unknown-fields.ts).

export const createProjectBody = restObject({
  name: projectNameSchema,
  description: descriptionSchema,
  template: z.string().max(100).nullish(),
  is_public: z.boolean().optional(),
  ai_personality: aiPersonalityInput,
});

export const writeFileBody = restObject({
  path: filePathSchema,
  content: fileContentSchema,
  encoding: encodingSchema,
  is_entry_point: z.boolean().optional(),
  base_version: baseVersionSchema,
  ai_personality: aiPersonalityInput,
});

export const executeBody = restObject({
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
export const startProcessBody = restObject({
  command: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(10_000)
    .refine(...noNul)
    .optional(),
  port: z.number({ error: "must be a TCP port" }).int().min(1).max(65535).nullish(),
  ai_personality: aiPersonalityInput,
}).refine((b) => b.command !== undefined || b.port == null, {
  message: "a port needs its command (omit both for the template's dev server)",
  path: ["command"],
});

/** GET /api/sandbox/projects: ?include_public=1 adds everyone's public projects, ?search= filters. Other parameters are ignored. */
export const listProjectsQuery = z.object({
  include_public: z.string().optional().meta({ description: '"1" adds everyone\'s public projects' }),
  search: z.string().trim().max(200).optional().meta({ description: "Only projects whose name or description contains this (case-insensitive)" }),
});

/** GET …/files/content?path=…: which file, and optionally the most bytes the caller will take. */
export const fileContentQuery = restObject({
  path: filePathSchema.meta({
    description:
      'The file\'s path in the project, e.g. "src/index.ts"; a name that is not valid UTF-8 by its escaped path (each invalid byte as \\xHH, as listed)',
  }),
  max_bytes: z.coerce
    .number({ error: "must be a number of bytes" })
    .int("must be a whole number of bytes")
    .min(1, "must be at least 1")
    .max(MAX_FILE_SIZE_CEILING, `must be at most ${MAX_FILE_SIZE_CEILING} (the ceiling of SANDBOX_MAX_FILE_SIZE: no file is larger)`)
    .optional()
    .meta({ description: "Refuse (413) rather than answer a file larger than this many bytes" }),
});
