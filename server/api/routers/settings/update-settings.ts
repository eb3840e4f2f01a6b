import { sessionProcedure } from "@/server/api/trpc";
import { updateUserSettings } from "@/server/services/users/user-settings";
import { userSettingsOutput } from "./get-settings.schema";
import { updateSettingsInput } from "./update-settings.schema";

/** Changes the signed-in person's IDE settings; only the fields given. */
export const updateSettingsProcedure = sessionProcedure
  .input(updateSettingsInput)
  .output(userSettingsOutput)
  .mutation(({ ctx, input }) => updateUserSettings(ctx.user, input));
