import { layersPlugin } from "./eslint-rules/layer-imports.mjs";

// The layers of STYLE.md §1 and issue 16 point 1 as lint rules, so a break is refused, not
// remembered. eslint.config.mjs applies these; eslint-rules/layers.test.ts lints a violating probe
// file for each and checks it is refused.

/** Test code, test support (test/) and benchmarks arrange state across layers on purpose. */
export const TEST_FILES = ["**/*.test.ts", "**/*.test.tsx", "e2e/**", "test/**", "**/bench/**"];

const layers = [
  {
    name: "server/sandbox",
    files: ["server/sandbox/"],
    allow: ["server/sandbox/", "security/", "sandbox-images/"],
    why: "the engine imports only itself, security/ and the images' shared code; the app passes it what it needs",
  },
  {
    name: "app/ and server/api",
    files: ["app/", "server/api/"],
    disallow: ["server/repositories/", "server/db/"],
    // Record types (`import type { ProjectRecord }`) shape DTOs and leave nothing at run time.
    allowTypeImports: true,
    why: "routes and procedures call services; only services use repositories",
  },
  {
    name: "components/",
    files: ["components/"],
    disallow: ["server/"],
    allowTypeImports: true,
    why: "components run in the browser: only `import type` from the server",
  },
  {
    name: "lib/",
    files: ["lib/"],
    disallow: ["server/"],
    // The tRPC clients need the router's type (`import type { AppRouter }`), nothing else.
    allowTypeImports: true,
    why: "lib/ is shared by the browser and the server and depends on neither",
  },
  {
    name: "the process registry",
    files: ["server/process/app-runtime.ts"],
    // It names the type of every long-lived part, from the Prisma client to the services' hubs,
    // and imports nothing at run time, so any module (the logger, the database client) can read
    // it without a cycle. Type imports pass; any other import is refused.
    allow: [],
    allowTypeImports: true,
    why: "the registry imports types only",
  },
  {
    name: "server/process",
    files: ["server/process/"],
    ignores: ["server/process/app-runtime.ts"],
    disallow: ["server/services/", "server/api/", "server/startup/", "app/", "components/"],
    why: "the process registry is read by services; wiring services into it is server/startup's",
  },
  {
    name: "server/services",
    files: ["server/services/"],
    disallow: ["server/api/", "server/startup/", "app/", "components/", "server/main"],
    why: "services sit below the API and the start-up wiring",
  },
  {
    name: "Prisma",
    files: [""],
    // The entry points open and close the client; server/db is the client module itself; the
    // process registry names the client's type (its own rule above refuses any value import).
    ignores: ["server/repositories/", "server/db/", "server/main.ts", "server/cli/", "server/process/app-runtime.ts"],
    disallow: ["server/db/client", "server/db/generated/"],
    why: "only server/repositories may use Prisma (STYLE.md §1)",
  },
  {
    name: "test support",
    // Every file this config lints: tests, e2e, test/ itself and benchmarks are TEST_FILES, left
    // out below, so what remains is what ships (and the tooling in scripts/).
    files: [""],
    disallow: ["test/"],
    why: "harnesses and fixtures stay out of what ships; only tests and benchmarks use test/",
  },
];

/** Where `process.env` may be read: lib/env.ts, the entry points and tooling; everything else gets its configuration from lib/env.ts. */
const ENV_READERS = [
  "lib/env.ts",
  // It hands next-auth its base URL in NEXTAUTH_URL (the one library that reads only process.env).
  "server/main.ts",
  "scripts/**",
  // Image build tooling, run by `npm run images` and by ensure-images at start-up (not yet moved to lib/env.ts).
  "sandbox-images/**",
  "*.config.ts",
  "*.config.mjs",
];

/**
 * Where `getEnv()` (the one parse of the environment, lib/env.ts) may be imported: where a process
 * or a request enters, and the process registry's parts built once per process. They read the
 * configuration once and pass the settings down; services, repositories and the engine take
 * theirs as parameters (server/sandbox gets an EngineConfig from server/startup, built from the
 * Env main.ts read).
 */
export const CONFIG_READERS = [
  "lib/env.ts",
  // Process entry points: the custom server, the admin CLI, the migration CLI.
  "server/main.ts",
  "server/cli/**",
  "server/db/migrate-cli.ts",
  // Request entry points: the tRPC context, the REST caller, the MCP endpoint, the IDE page.
  "server/api/context.ts",
  "server/api/rest/rest-caller.ts",
  "server/api/mcp/mcp-http.ts",
  "app/projects/[[]id]/page.tsx",
  // The API boundary's zod refinement of a timeout runs without a request context.
  "server/api/schemas/timeout-ceiling.ts",
  // Process-registry parts made lazily once per process (server/process/app-runtime.ts's composition
  // root), for processes that started no server (tests, scripts) as much as for the server.
  "server/process/rate-limits-runtime.ts",
  "server/process/preview-runtime.ts",
];

export const layerConfigs = [
  {
    files: ["**/*.ts", "**/*.tsx"],
    ignores: TEST_FILES,
    plugins: { layers: layersPlugin },
    rules: { "layers/imports": ["error", { layers }] },
  },
  {
    files: ["**/*.ts", "**/*.tsx"],
    ignores: [...TEST_FILES, ...CONFIG_READERS],
    plugins: { layers: layersPlugin },
    rules: { "layers/config-source": "error" },
  },
  {
    files: ["**/*.ts", "**/*.tsx"],
    ignores: [...TEST_FILES, ...ENV_READERS],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through lib/env.ts (getEnv(), or its live accessors), not process.env (issue 16)." },
      ],
    },
  },
];
