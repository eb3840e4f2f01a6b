import { z } from "zod";
import { aiPersonalityInput, filePathSchema, projectIdSchema, timeoutSecondsSchema } from "@/server/api/schemas/common.schema";
import { fileWriteSchema } from "../files/files.schema";

/** Runs per call: enough for a median and a spread; the ceiling keeps one call to one bounded execution. */
export const MAX_OPTIMIZE_RUNS = 10;

const common = {
  projectId: projectIdSchema,
  /** Default: the template's test command (a run command may start a server that never exits). */
  command: z.string().min(1).max(16_384).optional(),
  runs: z.number().int("must be a whole number").min(1).max(MAX_OPTIMIZE_RUNS, `must be at most ${MAX_OPTIMIZE_RUNS}`).default(3),
  /** For the whole call (every run), as for any execution. */
  timeoutSeconds: timeoutSecondsSchema.optional(),
  aiPersonality: aiPersonalityInput,
};

/** Without `candidate`: profile. With it: compare the project's files (baseline) against the candidate. */
export const optimizePerformanceInput = z.object({
  ...common,
  /** Applied to a temporary copy of the workspace in the sandbox's /tmp; the project's files are never changed. */
  candidate: z
    .object({ writes: z.array(fileWriteSchema.omit({ isEntryPoint: true })).max(100), deletes: z.array(filePathSchema).max(100).default([]) })
    .optional(),
});

const wallTimeDto = z.object({ runsMs: z.array(z.number()), medianMs: z.number(), minMs: z.number(), maxMs: z.number() });
const hotSpotDto = z.object({
  function: z.string(),
  file: z.string(),
  line: z.number().int().nullable(),
  inProject: z.boolean(),
  selfMs: z.number(),
  selfShare: z.number(),
  totalMs: z.number(),
  totalShare: z.number(),
  calls: z.number().int().nullable(),
  hits: z.number().int().nullable(),
});

export const profileReportDto = z.object({
  mode: z.literal("profile"),
  command: z.string(),
  executionId: z.number().int(),
  runs: z.number().int(),
  wallTime: wallTimeDto,
  peakMemoryMb: z.number().nullable(),
  profiledMs: z.number(),
  hotSpots: z.array(hotSpotDto),
  failure: z.object({ run: z.number().int(), exitCode: z.number().int(), outputTail: z.string() }).nullable(),
});
export const compareReportDto = z.object({
  mode: z.literal("compare"),
  command: z.string(),
  executionId: z.number().int(),
  runs: z.number().int(),
  baseline: wallTimeDto,
  candidate: wallTimeDto,
  speedUp: z.object({ ratio: z.number(), low: z.number(), high: z.number(), faster: z.enum(["candidate", "baseline", "unclear"]) }),
  peakMemoryMb: z.number().nullable(),
});
export const optimizePerformanceOutput = z.discriminatedUnion("mode", [profileReportDto, compareReportDto]);
