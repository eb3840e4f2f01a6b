import { router } from "@/server/api/trpc";
import { createApiKeyProcedure } from "./create-api-key";
import { listApiKeysProcedure } from "./list-api-keys";
import { revokeApiKeyProcedure } from "./revoke-api-key";

export const apiKeysRouter = router({ create: createApiKeyProcedure, list: listApiKeysProcedure, revoke: revokeApiKeyProcedure });
