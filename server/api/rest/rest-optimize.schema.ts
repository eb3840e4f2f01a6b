import { z } from "zod";
import { aiPersonalityInput, encodingSchema, fileContentSchema, filePathSchema, noNul, timeoutSecondsSchema } from "@/server/api/schemas/common.schema";
import { MAX_OPTIMIZE_RUNS } from "@/server/api/routers/ai/optimize-performance.schema";
import { restObject } from "./unknown-fields";

// REST body and answer of POST …/optimize (the seed's optimize_performance), snake_case as the
// other REST routes; the same service and limits as ai.optimizePerformance and the MCP tool.

export const optimizeBody = restObject({
  command: z
    .string()
    .min(1, "must not be empty")
    .max(16_384)
    .refine(...noNul)
    .optional()
    .meta({ description: "The command to profile; default: the template's test command (a run command may start a server that never exits)" }),
  runs: z
    .number()
    .int("must be a whole number")
    .min(1)
    .max(MAX_OPTIMIZE_RUNS, `must be at most ${MAX_OPTIMIZE_RUNS}`)
    .default(3)
    .meta({ description: `Runs in the one execution, 1 to ${MAX_OPTIMIZE_RUNS}` }),
  /** Seconds for the whole call (every run), as in the seed's execute. */
  timeout: timeoutSecondsSchema.optional(),
  candidate: restObject({
    writes: z.array(restObject({ path: filePathSchema, content: fileContentSchema, encoding: encodingSchema })).max(100),
    deletes: z.array(filePathSchema).max(100).default([]),
  })
    .optional()
    .meta({ description: "Compare instead of profile: applied to a temporary copy of the workspace in the sandbox's /tmp; the project's files never change" }),
  ai_personality: aiPersonalityInput,
});

const wallTime = z.strictObject({ runs_ms: z.array(z.number()), median_ms: z.number(), min_ms: z.number(), max_ms: z.number() }).meta({ id: "WallTime" });
const hotSpot = z
  .strictObject({
    function: z.string(),
    file: z.string().meta({ description: "Project-relative for the project's own code" }),
    line: z.number().int().nullable(),
    in_project: z.boolean(),
    self_ms: z.number().meta({ description: "Per run" }),
    self_share: z.number().meta({ description: "Of the profiled CPU time, 0 to 1" }),
    total_ms: z.number(),
    total_share: z.number(),
    calls: z.number().int().nullable().meta({ description: "Call count (Python's cProfile); null for V8" }),
    hits: z.number().int().nullable().meta({ description: "Sample hits (V8's --cpu-prof); null for Python" }),
  })
  .meta({ id: "HotSpot" });

const profileReport = z.strictObject({
  mode: z.literal("profile"),
  command: z.string(),
  execution_id: z.number().int(),
  runs: z.number().int().meta({ description: "Runs that completed (fewer than asked when one exited non-zero)" }),
  wall_time: wallTime,
  peak_memory_mb: z.number().nullable(),
  profiled_ms: z.number().meta({ description: "CPU time the profilers saw per run" }),
  hot_spots: z.array(hotSpot),
  failure: z
    .strictObject({ run: z.number().int(), exit_code: z.number().int(), output_tail: z.string() })
    .nullable()
    .meta({ description: "A run that exited non-zero: the report holds what was profiled up to it" }),
});
const compareReport = z.strictObject({
  mode: z.literal("compare"),
  command: z.string(),
  execution_id: z.number().int(),
  runs: z.number().int(),
  baseline: wallTime,
  candidate: wallTime,
  speed_up: z.strictObject({
    ratio: z.number().meta({ description: "Baseline median over candidate median: above 1, the candidate is faster" }),
    low: z.number(),
    high: z.number(),
    faster: z.enum(["candidate", "baseline", "unclear"]).meta({ description: "unclear when the 95% interval contains 1" }),
  }),
  peak_memory_mb: z.number().nullable(),
});

export const optimizeResponse = z.discriminatedUnion("mode", [profileReport, compareReport]).meta({ id: "PerformanceReport" });
