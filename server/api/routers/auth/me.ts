import { protectedProcedure } from "@/server/api/trpc";
import { meSchema } from "./me.schema";

export const meProcedure = protectedProcedure.output(meSchema.output).query(({ ctx }) => {
  const { id, email, role, via, scopes, defaultAiPersonality } = ctx.user;
  return { id, email, role, via, scopes, defaultAiPersonality };
});
