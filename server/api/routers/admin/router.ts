import { router } from "@/server/api/trpc";
import { activeSandboxesProcedure } from "./active-sandboxes";
import { alertsProcedure } from "./alerts";
import { anomaliesProcedure } from "./anomalies";
import { fleetOverviewProcedure } from "./fleet-overview";
import { listUsersProcedure } from "./list-users";
import { projectMetricsProcedure } from "./project-metrics";
import { setUserDisabledProcedure } from "./set-user-disabled";
import { stopSandboxProcedure } from "./stop-sandbox";

export const adminRouter = router({
  listUsers: listUsersProcedure,
  setUserDisabled: setUserDisabledProcedure,
  fleetOverview: fleetOverviewProcedure,
  activeSandboxes: activeSandboxesProcedure,
  stopSandbox: stopSandboxProcedure,
  alerts: alertsProcedure,
  anomalies: anomaliesProcedure,
  projectMetrics: projectMetricsProcedure,
});
