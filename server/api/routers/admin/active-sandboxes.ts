import { adminProcedure } from "@/server/api/trpc";
import { activeSandboxList } from "@/server/services/monitoring/fleet-admin";
import { activeSandboxesOutput } from "./active-sandboxes.schema";

export const activeSandboxesProcedure = adminProcedure.output(activeSandboxesOutput).query(() => activeSandboxList());
