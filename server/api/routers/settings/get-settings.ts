import { sessionProcedure } from "@/server/api/trpc";
import { getUserSettings } from "@/server/services/users/user-settings";
import { userSettingsOutput } from "./get-settings.schema";

/** The signed-in person's IDE settings (an API key acts for a program, which has none). */
export const getSettingsProcedure = sessionProcedure.output(userSettingsOutput).query(({ ctx }) => getUserSettings(ctx.user));
