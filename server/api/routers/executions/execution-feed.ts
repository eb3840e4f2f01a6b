import { tracked } from "@trpc/server";
import { requireScope } from "@/server/api/trpc";
import { executionSummaryDto } from "@/server/api/schemas/dto.schema";
import { projectExecutionFeed } from "@/server/services/executions/execution-feed";
import { executionFeedInput } from "./execution-feed.schema";

/** Each execution of a project as it starts (running ones first), resumable after `lastEventId`; never ends by itself. */
export const executionFeedProcedure = requireScope("projects:read")
  .input(executionFeedInput)
  .subscription(async function* ({ ctx, input, signal }) {
    for await (const execution of projectExecutionFeed(ctx.user, input.projectId, input.lastEventId ?? null, signal)) {
      yield tracked(String(execution.id), executionSummaryDto.parse(execution));
    }
  });
