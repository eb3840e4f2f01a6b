import { tracked } from "@trpc/server";
import { requireScope } from "@/server/api/trpc";
import { fileChangeEvents } from "@/server/services/files/file-change-events";
import { getFileChangeHub } from "@/server/services/files/file-change-hub";
import { fileChangesInput } from "./file-changes.schema";

/**
 * A project's file changes (by people, AIs, and executions syncing files back), live and resumable
 * after `lastEventId`; a "resync" event means "reload the tree". Runs until the client leaves.
 */
export const fileChangesProcedure = requireScope("projects:read")
  .input(fileChangesInput)
  .subscription(async function* ({ ctx, input, signal }) {
    const hub = getFileChangeHub();
    for await (const event of fileChangeEvents(ctx.user, input.projectId, input.lastEventId ?? null, signal)) {
      yield tracked(hub.eventId(event.seq), event);
    }
  });
