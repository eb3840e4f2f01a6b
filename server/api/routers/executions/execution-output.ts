import { tracked } from "@trpc/server";
import { requireScope } from "@/server/api/trpc";
import { executionEvents } from "@/server/services/executions/execution-events";
import { executionOutputInput } from "./execution-output.schema";

/** An execution's stdout/stderr/exit events, resumable after `lastEventId`; ends after the exit event. */
export const executionOutputProcedure = requireScope("projects:read")
  .input(executionOutputInput)
  .subscription(async function* ({ ctx, input, signal }) {
    for await (const event of executionEvents(ctx.user, input.executionId, input.lastEventId ?? null, signal)) {
      yield tracked(String(event.seq), event);
    }
  });
