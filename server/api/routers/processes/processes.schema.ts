import { z } from "zod";
import { noNul } from "@/server/api/schemas/common.schema";
import { MAX_COMMAND_LENGTH } from "@/server/services/processes/process-service";

// Shapes shared by the processes procedures (background processes and their previews).

export const processIdSchema = z.number({ error: "must be a process id (a positive integer)" }).int().positive().max(2_147_483_647);
/** The port the process serves inside its container; the service refuses denylisted and privileged ones, saying why. */
export const containerPortSchema = z.number({ error: "must be a TCP port" }).int().min(1).max(65535);
export const processCommandSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(MAX_COMMAND_LENGTH)
  .refine(...noNul);

export const processOutput = z.object({
  id: z.number(),
  projectId: z.number(),
  command: z.string(),
  port: z.number().nullable(),
  status: z.enum(["running", "exited", "failed", "stopped"]),
  exitCode: z.number().nullable(),
  startedByAi: z.string().nullable(),
  startedAt: z.date(),
  endedAt: z.date().nullable(),
  previewUrl: z.string().nullable(),
});

/** get, stop, probe and previewLink take only the process. */
export const processIdInput = z.object({ processId: processIdSchema });
