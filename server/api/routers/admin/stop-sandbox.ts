import { adminProcedure } from "@/server/api/trpc";
import { stopSandbox } from "@/server/services/monitoring/fleet-admin";
import { stopSandboxInput, stopSandboxOutput } from "./stop-sandbox.schema";

/** Cancels the project's executions and releases its container; `released` is false if it had none. */
export const stopSandboxProcedure = adminProcedure
  .input(stopSandboxInput)
  .output(stopSandboxOutput)
  .mutation(({ input }) => stopSandbox(input.projectId));
