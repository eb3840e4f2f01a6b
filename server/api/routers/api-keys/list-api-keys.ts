import { z } from "zod";
import { sessionProcedure } from "@/server/api/trpc";
import { listApiKeys } from "@/server/services/users/api-key-service";
import { apiKeyDto } from "./api-key.schema";

export const listApiKeysProcedure = sessionProcedure.output(z.array(apiKeyDto)).query(({ ctx }) => listApiKeys(ctx.user.id));
