// @pantheon/sandbox-client: the typed REST client of Pantheon Sandbox. No runtime dependencies:
// the global fetch (Node 20.19+, Deno, Bun, browsers) and types generated from /api/openapi.json.
export { createSandboxClient, SandboxClient, type FileBytes, type SandboxClientOptions } from "./client.js";
export { SandboxApiError } from "./errors.js";
export type * from "./types.js";
export type { components, operations, paths } from "./openapi.js";
