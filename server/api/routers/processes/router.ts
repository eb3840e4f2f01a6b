import { router } from "@/server/api/trpc";
import { getProcessProcedure } from "./get-process";
import { listProcessesProcedure } from "./list-processes";
import { previewLinkProcedure } from "./preview-link";
import { probePreviewProcedure } from "./probe-preview";
import { processOutputProcedure } from "./process-output";
import { startDevServerProcedure } from "./start-dev-server";
import { startProcessProcedure } from "./start-process";
import { stopProcessProcedure } from "./stop-process";

export const processesRouter = router({
  start: startProcessProcedure,
  startDev: startDevServerProcedure,
  list: listProcessesProcedure,
  get: getProcessProcedure,
  stop: stopProcessProcedure,
  output: processOutputProcedure,
  probe: probePreviewProcedure,
  previewLink: previewLinkProcedure,
});
