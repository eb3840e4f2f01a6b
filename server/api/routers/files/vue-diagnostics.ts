import { requireScope } from "@/server/api/trpc";
import { vueDiagnostics } from "@/server/services/vue-diagnostics/vue-diagnostics-service";
import { vueDiagnosticsInput, vueDiagnosticsOutput } from "./vue-diagnostics.schema";

/**
 * The editor's markers for a .vue file: vue-tsc's diagnostics of its unsaved text. Owner and
 * admins only (write access): a check costs server CPU and only an editor shows them. A mutation
 * though it changes nothing: its input is a whole file's text, which a query would put in a GET
 * URL (the IDE's batch link keeps those under 8 KB; Node refuses headers above 16 KiB).
 */
export const vueDiagnosticsProcedure = requireScope("projects:write")
  .input(vueDiagnosticsInput)
  .output(vueDiagnosticsOutput)
  .mutation(({ ctx, input }) => vueDiagnostics(ctx.user, input.projectId, input.path, input.content));
