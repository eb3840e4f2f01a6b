import { z } from "zod";
import { requireScope } from "@/server/api/trpc";
import { listProcesses } from "@/server/services/processes/process-service";
import { projectProcessesInput } from "./list-processes.schema";
import { processOutput } from "./processes.schema";

/** The project's background processes, newest first (owner only, even on a public project). */
export const listProcessesProcedure = requireScope("projects:read")
  .input(projectProcessesInput)
  .output(z.array(processOutput))
  .query(({ ctx, input }) => listProcesses(ctx.user, input.projectId));
