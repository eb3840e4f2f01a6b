import { router } from "@/server/api/trpc";
import { addFeatureProcedure } from "./add-feature";
import { applyChangesProcedure } from "./apply-changes";
import { aiCreateProjectProcedure } from "./create-project";
import { debugCodeProcedure } from "./debug-code";
import { generateFileProcedure } from "./generate-file";
import { getContextProcedure } from "./get-context";
import { optimizePerformanceProcedure } from "./optimize-performance";
import { refactorCodeProcedure } from "./refactor-code";
import { runTestsProcedure } from "./run-tests";

/** The seed's AI commands (create_project, generate_file, run_tests, debug_code, refactor_code, add_feature, optimize_performance, and context + change sets). */
export const aiRouter = router({
  createProject: aiCreateProjectProcedure,
  generateFile: generateFileProcedure,
  runTests: runTestsProcedure,
  debugCode: debugCodeProcedure,
  getContext: getContextProcedure,
  applyChanges: applyChangesProcedure,
  refactorCode: refactorCodeProcedure,
  addFeature: addFeatureProcedure,
  optimizePerformance: optimizePerformanceProcedure,
});
