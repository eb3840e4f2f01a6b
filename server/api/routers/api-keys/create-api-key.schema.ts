import { z } from "zod";
import { createApiKeyInput } from "@/server/services/users/api-key-service";
import { apiKeyDto } from "./api-key.schema";

/** Validated by the service too: it is the one place the rules live (a key is also made by the CLI). */
export { createApiKeyInput };
export const createApiKeyOutput = z.object({ key: z.string(), apiKey: apiKeyDto });
