import { router } from "@/server/api/trpc";
import { applyChangesProcedure } from "./apply-changes";
import { aiCreateProjectProcedure } from "./create-project";
import { debugCodeProcedure } from "./debug-code";
import { generateFileProcedure } from "./generate-file";
import { getContextProcedure } from "./get-context";
import { optimizePerformanceProcedure } from "./optimize-performance";
import { runTestsProcedure } from "./run-tests";

/** The seed's AI commands (create_project, generate_file, run_tests, debug_code, and context + change sets). */
export const aiRouter = router({
  createProject: aiCreateProjectProcedure,
  generateFile: generateFileProcedure,
  runTests: runTestsProcedure,
  debugCode: debugCodeProcedure,
  getContext: getContextProcedure,
  applyChanges: applyChangesProcedure,
  optimizePerformance: optimizePerformanceProcedure,
});
