import { z } from "zod";
import { apiKeyDto } from "./api-key.schema";

export const listApiKeysOutput = z.array(apiKeyDto);
