import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Test layers, by file name:
//   *.test.ts        unit: pure logic, no I/O (fakes allowed only here)
//   *.int.test.ts    integration against the real PostgreSQL (embedded, started by the global setup)
//   *.docker.test.ts integration against the real Docker engine (and the real PostgreSQL); run once
//                    per runtime (runc, runsc)
//   *.k8s.test.ts    opt-in only (npm run test:k8s): a real kube-apiserver, etcd and kwok built
//                    from the Go module proxy; in no other project, so npm test never starts it
const alias = {
  "@": fileURLToPath(new URL("./", import.meta.url)),
  "server-only": fileURLToPath(new URL("./test/support/server-only-stub.ts", import.meta.url)),
};
const exclude = ["node_modules/**", ".next/**", ".data/**", "e2e/**"];
// Under `npm test` (scripts/test.mjs sets TEST_RETRY), a test against real PostgreSQL or Docker
// gets one retry, as the e2e tests do: these run beside other suites on a 2-core machine, and one
// timing miss must not throw the whole run away. A test that passes only on its retry is not
// hidden: the summary names it ("passed on a retry") with its first error. A real failure fails
// twice. A direct `npx vitest run` does not retry.
const retry = Number(process.env.TEST_RETRY ?? 0);

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: [...exclude, "**/*.int.test.ts", "**/*.docker.test.ts", "**/*.k8s.test.ts"],
          // A test that imports a module graph afresh (vi.resetModules: next-auth, Prisma) took over
          // the 5 s default on a 2-core machine under load; a bound on hangs, not on speed.
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          retry,
          include: ["**/*.int.test.ts"],
          exclude,
          globalSetup: ["./test/support/global-setup-db.ts"],
          setupFiles: ["./test/support/setup-db-env.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "docker-runc",
          retry,
          include: ["**/*.docker.test.ts"],
          exclude,
          env: { SANDBOX_RUNTIME: "runc" },
          globalSetup: ["./test/support/global-setup-db.ts"],
          setupFiles: ["./test/support/setup-db-env.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "docker-runsc",
          retry,
          include: ["**/*.docker.test.ts"],
          exclude,
          env: { SANDBOX_RUNTIME: "runsc" },
          globalSetup: ["./test/support/global-setup-db.ts"],
          setupFiles: ["./test/support/setup-db-env.ts"],
          testTimeout: 180_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "k8s",
          include: ["**/*.k8s.test.ts"],
          exclude,
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
