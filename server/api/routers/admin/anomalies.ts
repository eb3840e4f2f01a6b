import { adminProcedure } from "@/server/api/trpc";
import { anomaliesOverview } from "@/server/services/monitoring/fleet-admin";
import { anomaliesOutput } from "./anomalies.schema";

/** The latest anomaly scan (once a minute), or null before the first one. */
export const anomaliesProcedure = adminProcedure.output(anomaliesOutput).query(() => anomaliesOverview());
