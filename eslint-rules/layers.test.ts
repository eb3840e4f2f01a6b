import { fileURLToPath } from "node:url";
import { ESLint, type Linter } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
// @ts-expect-error: the lint configuration is plain JavaScript (eslint.config.mjs imports it too)
import { layerConfigs } from "../eslint.layers.mjs";

// Issue 16 point 1: each layer rule of eslint.layers.mjs refuses a file that breaks it, and lets
// the allowed import through. Probe sources are linted under fake file names (no type
// information needed: these rules read import paths and property accesses only).

const root = fileURLToPath(new URL("..", import.meta.url));
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [{ files: ["**/*.ts", "**/*.tsx"], languageOptions: { parser: tseslint.parser } }, ...(layerConfigs as Linter.Config[])],
});

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

const refused: Array<[string, string, string, RegExp]> = [
  [
    "server/sandbox imports a service",
    "server/sandbox/probe.ts",
    `import { requireProject } from "@/server/services/projects/project-access";`,
    /server\/sandbox: may not import/,
  ],
  [
    "server/sandbox climbs out relatively",
    "server/sandbox/agent/probe.ts",
    `import { x } from "../../services/projects/project-access";`,
    /server\/sandbox: may not import/,
  ],
  ["server/sandbox imports lib/", "server/sandbox/probe.ts", `import { getEnv } from "@/lib/env";`, /server\/sandbox: may not import/],
  [
    "a router imports a repository",
    "server/api/routers/probe.ts",
    `import { userRepository } from "@/server/repositories/user-repository";`,
    /app\/ and server\/api/,
  ],
  [
    "a route imports a repository",
    "app/api/probe/route.ts",
    `import { userRepository } from "../../../server/repositories/user-repository";`,
    /app\/ and server\/api/,
  ],
  ["a component imports server code", "components/probe.tsx", `import { getEnv } from "@/server/api/trpc";`, /components\/: may not import/],
  ["lib/ imports server/", "lib/probe.ts", `import { requireProject } from "../server/services/projects/project-access";`, /lib\/: may not import/],
  ["a service imports Prisma", "server/services/probe.ts", `import { getPrisma } from "@/server/db/client";`, /Prisma: may not import/],
  ["a component imports the generated client", "components/probe.tsx", `export { Prisma } from "@/server/db/generated/client";`, /may not import/],
  [
    "server/process imports a service",
    "server/process/probe.ts",
    `import { requireProject } from "@/server/services/projects/project-access";`,
    /server\/process: may not import/,
  ],
  [
    "the process registry imports a value",
    "server/process/app-runtime.ts",
    `import { getPrisma } from "@/server/db/client";`,
    /the process registry: may not import/,
  ],
  ["a service imports the API", "server/services/probe.ts", `const m = await import("@/server/api/trpc");`, /server\/services: may not import/],
  ["a service imports test support", "server/services/probe.ts", `import { startAppEngine } from "@/test/support/app-engine";`, /test support: may not import/],
  [
    "the engine imports test support relatively",
    "server/sandbox/probe.ts",
    `import { MemoryWorkspaceStore } from "../../test/support/memory-workspace-store";`,
    /test support: may not import/,
  ],
  ["a route imports a fixture", "app/api/probe/route.ts", `import { makeUser } from "@/test/fixtures/accounts";`, /test support: may not import/],
  [
    "lib/ imports a fixture's type",
    "lib/probe.ts",
    `import type { CapturedOutput } from "@/test/fixtures/diagnostics-outputs"; export type C = CapturedOutput;`,
    /test support: may not import/,
  ],
  ["a service reads process.env", "server/services/probe.ts", `export const port = process.env.PORT;`, /no-restricted-properties: .*process\.env/],
  ["a route destructures process.env", "app/api/probe/route.ts", `const { env } = process; export const x = env.X;`, /no-restricted-properties/],
  // Issue 16 point 2: configuration is read where a process or request enters and passed down.
  [
    "a service reads getEnv()",
    "server/services/probe.ts",
    `import { getEnv } from "@/lib/env"; export const m = getEnv().SANDBOX_MAX_TIMEOUT;`,
    /layers\/config-source/,
  ],
  [
    "a route reads getEnv() relatively",
    "app/api/probe/route.ts",
    `import { getEnv as env } from "../../../lib/env"; export const m = env();`,
    /layers\/config-source/,
  ],
  [
    "a repository imports lib/env whole",
    "server/repositories/probe.ts",
    `import * as env from "@/lib/env"; export const m = env.getEnv();`,
    /layers\/config-source/,
  ],
  [
    "a monitoring part loads getEnv lazily",
    "server/monitoring/probe.ts",
    `export const m = async () => (await import("@/lib/env")).getEnv();`,
    /layers\/config-source/,
  ],
  ["a procedure re-exports getEnv", "server/api/routers/probe.ts", `export { getEnv } from "@/lib/env";`, /layers\/config-source/],
  ["another page reads getEnv()", "app/admin/page.tsx", `import { getEnv } from "@/lib/env"; export const m = getEnv();`, /layers\/config-source/],
];

const allowed: Array<[string, string, string]> = [
  [
    "server/sandbox imports itself, security/ and the images' code",
    "server/sandbox/agent/probe.ts",
    `import { a } from "../errors"; import { b } from "../../../security/policy"; import { c } from "@/sandbox-images/image-inputs"; import pino from "pino";`,
  ],
  [
    "server/api imports a repository's type",
    "server/api/rest/probe.ts",
    `import type { ProjectRecord } from "@/server/repositories/project-repository"; export type P = ProjectRecord;`,
  ],
  ["a component imports a server type", "components/probe.tsx", `import { type AppRouter } from "@/server/api/root"; export type R = AppRouter;`],
  [
    "the process registry names the types of the parts it holds",
    "server/process/app-runtime.ts",
    `import type { PrismaClient } from "@/server/db/generated/client"; import type { ExecutionHub } from "@/server/services/executions/execution-hub"; export interface R { p?: PrismaClient; h?: ExecutionHub }`,
  ],
  ["a repository uses Prisma", "server/repositories/probe.ts", `import { getPrisma } from "@/server/db/client";`],
  ["lib/env.ts reads process.env", "lib/env.ts", `export const x = process.env.X;`],
  ["the custom server reads process.env", "server/main.ts", `process.env.DATABASE_URL = "postgres://x";`],
  [
    "a service names the slice of configuration it takes",
    "server/services/probe.ts",
    `import type { Env } from "@/lib/env"; import { type Env as E2 } from "@/lib/env"; export type S = Pick<Env, "PORT"> & Pick<E2, "HOST">;`,
  ],
  ["the tRPC context reads getEnv()", "server/api/context.ts", `import { getEnv } from "@/lib/env"; export const c = () => getEnv();`],
  ["the REST caller reads getEnv()", "server/api/rest/rest-caller.ts", `import { getEnv } from "@/lib/env"; export const c = () => getEnv();`],
  ["the IDE page reads getEnv()", "app/projects/[id]/page.tsx", `import { getEnv } from "@/lib/env"; export const c = () => getEnv();`],
  ["a test reads getEnv()", "server/services/probe.int.test.ts", `import { getEnv } from "@/lib/env"; export const c = getEnv();`],
  [
    "tests, benchmarks and test support use test/",
    "server/sandbox/bench/probe.ts",
    `import { MemoryWorkspaceStore } from "@/test/support/memory-workspace-store"; export const s = new MemoryWorkspaceStore();`,
  ],
  ["test support uses fixtures", "test/support/probe.ts", `import { makeUser } from "../fixtures/accounts"; export const m = makeUser;`],
  [
    "a test imports test support",
    "server/services/probe.docker.test.ts",
    `import { startAppEngine } from "@/test/support/app-engine"; export const s = startAppEngine;`,
  ],
  [
    "a test reaches past layers",
    "server/api/probe.int.test.ts",
    `import { userRepository } from "@/server/repositories/user-repository"; export const e = process.env.X;`,
  ],
];

describe("the layer rules (eslint.layers.mjs)", () => {
  for (const [what, file, code, message] of refused) {
    it(`refuse: ${what} (${file})`, async () => {
      const found = await problems(file, code);
      expect(
        found.some((p) => message.test(p)),
        found.join("\n") || "no problem reported",
      ).toBe(true);
    });
  }
  for (const [what, file, code] of allowed) {
    it(`allow: ${what} (${file})`, async () => {
      expect(await problems(file, code)).toEqual([]);
    });
  }

  it("are part of the repository's lint configuration", async () => {
    const real = new ESLint({ cwd: root });
    for (const file of ["server/sandbox/pool.ts", "server/api/trpc.ts", "components/probe.tsx", "lib/probe.ts", "server/services/probe.ts"]) {
      const config = (await real.calculateConfigForFile(file)) as { rules: Record<string, unknown> };
      expect(config.rules["layers/imports"], file).toBeDefined();
      expect(config.rules["no-restricted-properties"], file).toBeDefined();
      expect(config.rules["layers/config-source"], file).toBeDefined();
    }
  }, 120_000);
});
