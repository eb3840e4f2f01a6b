// Usage: npm run client:types — regenerates packages/sandbox-client/src/openapi.ts from the
// OpenAPI document (server/api/openapi/client-types.ts).
import { writeFileSync } from "node:fs";
import { CLIENT_TYPES_FILE, clientTypesSource } from "@/server/api/openapi/client-types";

void clientTypesSource().then((source) => {
  writeFileSync(CLIENT_TYPES_FILE, source);
  console.log(`wrote ${CLIENT_TYPES_FILE}`);
});
