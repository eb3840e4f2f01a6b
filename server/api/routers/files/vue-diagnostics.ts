import { requireScope } from "@/server/api/trpc";
import { vueDiagnostics } from "@/server/services/vue-diagnostics/vue-diagnostics-service";
import { vueDiagnosticsInput, vueDiagnosticsOutput } from "./vue-diagnostics.schema";

/**
 * The editor's markers for a .vue file: vue-tsc's diagnostics of its unsaved text. Owner and
 * admins only (write access): a check costs server CPU and only an editor shows them.
 */
export const vueDiagnosticsProcedure = requireScope("projects:write")
  .input(vueDiagnosticsInput)
  .output(vueDiagnosticsOutput)
  .query(({ ctx, input }) => vueDiagnostics(ctx.user, input.projectId, input.path, input.content));
