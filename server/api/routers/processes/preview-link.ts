import { z } from "zod";
import { requireScope } from "@/server/api/trpc";
import { previewLink } from "@/server/services/processes/preview-link";
import { processIdInput } from "./processes.schema";

/**
 * A short-lived link that opens the process's preview in this browser (the preview sets a cookie
 * of its own; the app's session never opens a preview). Browser sessions only; API keys send
 * Authorization to the preview URL itself.
 */
export const previewLinkProcedure = requireScope("projects:read")
  .input(processIdInput)
  .output(z.object({ url: z.string(), expiresAt: z.date() }))
  .mutation(({ ctx, input }) => previewLink(ctx.user, input.processId));
