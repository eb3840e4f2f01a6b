import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "@playwright/test";

// e2e runs the real product (`npm start`: custom server, embedded PostgreSQL in a throw-away
// folder, real Docker) and drives Debian's Chromium: no browser is ever downloaded.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://localhost:${port}`;
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), "pantheon-e2e-"));
process.env.E2E_DATA_DIR = dataDir; // workers re-evaluate this file: keep one folder per run
chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as "postgres", which must reach its folder

export default defineConfig({
  testDir: "e2e",
  // Its own folder per run: Playwright empties outputDir as it starts, and the preview-domain run
  // follows e2e in `npm test` (a failed try's trace and screenshots must outlive the next run).
  outputDir: process.env.E2E_PREVIEW_DOMAIN ? "test-results/e2e-preview-domain" : "test-results/e2e",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  // Under `npm test` (TEST_RETRY, set by scripts/test.mjs) or in CI, one more try for a test that
  // failed: the suite shares two cores with the Docker suites, and a timing miss there must not
  // throw away the whole run. A test that passes only on its retry is not hidden: `npm test`'s
  // summary names it ("passed on a retry") with its first error.
  retries: Number(process.env.TEST_RETRY ?? (process.env.CI ? 1 : 0)),
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: "node scripts/start.mjs",
    url: `${baseURL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    // SIGTERM, as in production: the server drains and removes its containers. Without it
    // Playwright SIGKILLs the group and the run's containers stay until the next start reaps them.
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      NEXTAUTH_URL: baseURL,
      PANTHEON_DATA_DIR: dataDir,
      PANTHEON_PG_PORT: String(port + 51_000 > 65_000 ? 54_400 : port + 51_000),
      SANDBOX_LOG_LEVEL: "warn",
      // Its own container scope: the docker test suites may run beside it on the same engine.
      // E2E_SCOPE lets two checkouts run e2e side by side on one engine.
      SANDBOX_CONTAINER_SCOPE: process.env.E2E_SCOPE ?? "e2e",
      SANDBOX_POOL_SIZE: "2",
      // The seed's 20 creations per minute is global; specs create projects in bursts and the
      // limits have their own integration tests (server/limits, server/api/retry-after).
      SANDBOX_RATE_CREATE_PER_MINUTE: "1000",
      // E2E_PREVIEW_DOMAIN=1 serves previews in domain mode, at <n>.preview.localhost (Chromium
      // resolves *.localhost to 127.0.0.1), as production does on its own domain.
      ...(process.env.E2E_PREVIEW_DOMAIN ? { SANDBOX_PREVIEW_DOMAIN: `http://preview.localhost:${port + 9}` } : {}),
    },
  },
});
