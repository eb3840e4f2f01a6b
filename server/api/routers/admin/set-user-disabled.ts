import { adminProcedure } from "@/server/api/trpc";
import { AppError } from "@/server/errors/app-error";
import { setUserDisabled } from "@/server/services/users/user-service";
import { setUserDisabledInput, setUserDisabledOutput } from "./set-user-disabled.schema";

/** Disables an account (sign-in, every session and every API key refused at once) or re-enables it. */
export const setUserDisabledProcedure = adminProcedure
  .input(setUserDisabledInput)
  .output(setUserDisabledOutput)
  .mutation(async ({ ctx, input }) => {
    // An admin locking themselves out would need the CLI to get back in.
    if (input.disabled && input.userId === ctx.user.id) throw new AppError("BAD_REQUEST", "You cannot disable your own account");
    return setUserDisabled(input.userId, input.disabled);
  });
