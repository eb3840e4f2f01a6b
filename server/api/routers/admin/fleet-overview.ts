import { adminProcedure } from "@/server/api/trpc";
import { fleetOverview } from "@/server/services/monitoring/fleet-admin";
import { fleetOverviewInput, fleetOverviewOutput } from "./fleet-overview.schema";

/** Live fleet figures, warm pool, thresholds, last cleanup, and the fleet series over a bounded range. */
export const fleetOverviewProcedure = adminProcedure
  .input(fleetOverviewInput)
  .output(fleetOverviewOutput)
  .query(({ ctx, input }) => fleetOverview(input, ctx.config));
