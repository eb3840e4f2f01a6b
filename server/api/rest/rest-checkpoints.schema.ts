import { z } from "zod";
import { aiPersonalityInput, baseVersionSchema, noNul, timeoutSecondsSchema } from "@/server/api/schemas/common.schema";
import { diagnosticDto } from "@/server/api/schemas/dto.schema";
import { changeOperationShapes } from "@/server/api/routers/ai/verified-change-set.schema";
import { restObject } from "./unknown-fields";

// REST bodies and responses of the verified change sets (…/refactor, …/features) and checkpoints
// (…/checkpoints), snake_case as the seed's routes are.

const timestamp = z
  .date()
  .transform((d) => d.toISOString())
  .pipe(z.iso.datetime({ offset: true }));

/** One change operation, refused with a did-you-mean for an unknown field (`isExecutable`). */
const restChangeOperation = z.discriminatedUnion("op", [
  restObject({ ...changeOperationShapes.write, base_version: baseVersionSchema }),
  restObject(changeOperationShapes.delete),
  restObject(changeOperationShapes.move),
]);

export const verifiedChangeSetBody = restObject({
  description: z
    .string()
    .trim()
    .min(1, "must say what the change does")
    .max(500)
    .refine(...noNul),
  changes: z.array(restChangeOperation).min(1, "must change something").max(1000),
  verify: z
    .string()
    .min(1)
    .max(65_536)
    .refine(...noNul)
    .optional()
    .meta({ description: "The verification command; default: the template's test command" }),
  /** Seconds, as in the seed's execute. */
  timeout: timeoutSecondsSchema.optional(),
  ai_personality: aiPersonalityInput,
});

export const restoreCheckpointBody = restObject({ ai_personality: aiPersonalityInput });

/** GET …/checkpoints: a page of them, newest first. Unknown parameters are refused (`beforeId`: did you mean `before_id`?). */
export const listCheckpointsQuery = restObject({
  limit: z
    .string()
    .regex(/^\d{1,10}$/, "must be a whole number from 1 to 200")
    .transform(Number)
    .pipe(z.number().min(1, "must be a whole number from 1 to 200").max(200, "must be a whole number from 1 to 200"))
    .optional()
    .meta({ description: "1 to 200, default 50" }),
  before_id: z
    .string()
    .regex(/^\d{1,10}$/, "must be a checkpoint id (next_before_id of the previous page)")
    .transform(Number)
    .pipe(z.number().min(1).max(2_147_483_647, "must be a checkpoint id (next_before_id of the previous page)"))
    .optional()
    .meta({ description: "next_before_id of the previous page" }),
});

export const verifiedChangeSetResponse = z
  .strictObject({
    applied: z.boolean().meta({ description: "The change set is in the project now (the verification passed)" }),
    rolled_back: z.boolean().meta({ description: "The verification failed or timed out and every file was returned byte-exact" }),
    written: z.array(z.string()),
    deleted: z.array(z.string()),
    verification: z.strictObject({
      execution_id: z.number().int(),
      status: z.string().nullable(),
      exit_code: z.number().int().nullable(),
      output: z.string(),
      error_output: z.string(),
      diagnostics: z.array(diagnosticDto),
    }),
    checkpoint_id: z.number().int().nullable(),
    rollback_checkpoint_id: z.number().int().nullable(),
  })
  .meta({ id: "VerifiedChangeSet" });

const changeKind = z.enum(["added", "modified", "deleted"]);
export const checkpointResponse = z
  .strictObject({
    id: z.number().int(),
    project_id: z.number().int(),
    created_at: timestamp,
    user_id: z.number().int().nullable(),
    user_name: z.string().nullable(),
    ai_personality: z.string().nullable().meta({ description: "The AI personality that made the change, or null for a person" }),
    source: z.string().meta({ description: "ide, api, ai, refactor, feature, rollback or restore" }),
    description: z.string(),
    restored_from: z.number().int().nullable(),
    files: z.array(z.strictObject({ path: z.string(), change: changeKind })),
  })
  .meta({ id: "Checkpoint" });
export const checkpointListResponse = z
  .strictObject({ checkpoints: z.array(checkpointResponse), next_before_id: z.number().int().nullable() })
  .meta({ id: "CheckpointList" });

const side = z
  .strictObject({ hash: z.string(), size_bytes: z.number().int(), executable: z.boolean(), binary: z.boolean(), content: z.string().nullable() })
  .nullable();
export const checkpointDetailResponse = checkpointResponse
  .extend({ diffs: z.array(z.strictObject({ path: z.string(), change: changeKind, before: side, after: side, diff: z.string().nullable() })) })
  .meta({ id: "CheckpointDetail" });
export const restoreResponse = z
  .strictObject({ restored_from: z.number().int(), written: z.array(z.string()), deleted: z.array(z.string()), checkpoint_id: z.number().int().nullable() })
  .meta({ id: "Restore" });
