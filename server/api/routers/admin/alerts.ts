import { adminProcedure } from "@/server/api/trpc";
import { alertsOverview } from "@/server/services/monitoring/fleet-admin";
import { alertsOutput } from "./alerts.schema";

/** Open alerts, and those resolved in the last 24 hours. */
export const alertsProcedure = adminProcedure.output(alertsOutput).query(() => alertsOverview());
