import { sessionProcedure } from "@/server/api/trpc";
import { listApiKeys } from "@/server/services/users/api-key-service";
import { listApiKeysOutput } from "./list-api-keys.schema";

export const listApiKeysProcedure = sessionProcedure.output(listApiKeysOutput).query(({ ctx }) => listApiKeys(ctx.user.id));
