import { tracked } from "@trpc/server";
import { requireScope } from "@/server/api/trpc";
import { processEvents } from "@/server/services/processes/process-events";
import { processOutputInput } from "./process-output.schema";

/** A background process's output (what is kept, then live), resumable after `lastEventId`; ends with its exit. */
export const processOutputProcedure = requireScope("projects:read")
  .input(processOutputInput)
  .subscription(async function* ({ ctx, input, signal }) {
    for await (const event of processEvents(ctx.user, input.processId, input.lastEventId ?? null, signal)) {
      yield tracked(String(event.seq), event);
    }
  });
