import { sessionProcedure } from "@/server/api/trpc";
import { CLIENT_ADDRESS_HEADER, clientThrottleKey } from "@/server/auth/client-address";
import { changePassword } from "@/server/services/users/user-service";
import { changePasswordSchema } from "./change-password.schema";

/** A signed-in person changes their password; every session ends, this one included. */
export const changePasswordProcedure = sessionProcedure
  .input(changePasswordSchema.input)
  .output(changePasswordSchema.output)
  .mutation(async ({ ctx, input }) => {
    await changePassword(ctx.user, input, clientThrottleKey(ctx.headers.get(CLIENT_ADDRESS_HEADER)));
    return { sessionsEnded: true as const };
  });
