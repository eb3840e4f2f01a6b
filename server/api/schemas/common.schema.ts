import { z } from "zod";
import { aiPersonalitySchema } from "@/lib/ai-personalities";
import { pathProblem } from "@/server/services/files/file-path";
import { maxTimeoutSeconds, timeoutCeilingMessage } from "./timeout-ceiling";

// Input and output shapes shared by the tRPC procedures and the REST routes.

export const projectIdSchema = z.number({ error: "must be a project id (a positive integer)" }).int().positive().max(2_147_483_647);
export const executionIdSchema = z.number({ error: "must be an execution id (a positive integer)" }).int().positive().max(2_147_483_647);

export const filePathSchema = z
  .string({ error: "must be a relative file path" })
  .max(500, "must be at most 500 characters")
  .superRefine((path, ctx) => {
    const problem = pathProblem(path);
    // The flag lets the API layer count the refusal per user (anomaly detection: path probing).
    if (problem) ctx.addIssue({ code: "custom", message: `${problem}; use a relative path like "src/index.ts"`, params: { rejectedPath: true } });
  });

/** PostgreSQL text cannot hold U+0000: refused here with a clear message, not as a database 500. */
export const noNul = [(s: string) => !s.includes("\u0000"), "must not contain NUL (\\u0000) characters"] as const;

export const projectNameSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(255, "must be at most 255 characters")
  .refine(...noNul);
export const descriptionSchema = z
  .string()
  .max(10_000, "must be at most 10000 characters")
  .refine(...noNul)
  .nullish();
export const aiPersonalityInput = aiPersonalitySchema.nullish();

/** Content up to 16 MiB passes zod; the configured SANDBOX_MAX_FILE_SIZE is enforced by the service with its own message. */
export const fileContentSchema = z.string().max(16 * 1024 * 1024, "is far above any file size limit");
/**
 * The version a write is based on (the `version` a read or the last write returned): the write is
 * refused with CONFLICT when the stored file has another. null: the file must not exist yet.
 * Omitted: create or overwrite, whatever is stored.
 */
export const baseVersionSchema = z
  .string({ error: "must be a file version (64 hex digits, as a read returns it), or null for a file that must not exist yet" })
  .regex(/^[0-9a-f]{64}$/, "must be a file version: 64 lowercase hex digits (the SHA-256 of the content), as a read returns it")
  .nullable()
  .optional()
  .meta({
    description:
      "The file's version this write is based on (`version` from a read or the last write). The write is refused with 409 CONFLICT, nothing written, when the stored file has another version; the error lists the current one. null: the file must not exist yet. Omitted: create or overwrite.",
  });

export const encodingSchema = z.enum(["utf8", "base64"]).default("utf8");

/**
 * Seconds, refused (never clamped) above the configured SANDBOX_MAX_TIMEOUT, read when the input
 * is parsed so the message states the ceiling in force (300 by default), not a fixed bound.
 */
export const timeoutSecondsSchema = z
  .number({ error: "must be a number of seconds" })
  .int("must be whole seconds")
  .positive("must be at least 1 second")
  .superRefine((seconds, ctx) => {
    const max = maxTimeoutSeconds();
    if (seconds > max) ctx.addIssue({ code: "too_big", origin: "number", maximum: max, inclusive: true, input: seconds, message: timeoutCeilingMessage(max) });
  })
  .meta({ description: "Seconds; defaults to SANDBOX_DEFAULT_TIMEOUT (30), refused above SANDBOX_MAX_TIMEOUT (300 by default)" });
