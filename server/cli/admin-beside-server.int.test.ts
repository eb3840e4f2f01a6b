import { execFile, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@/test/support/global-setup-db";

const run = promisify(execFile);

/** `npm run admin -- …` as an operator types it, with the given environment. */
async function admin(env: NodeJS.ProcessEnv, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "server/cli/admin.ts", ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("npm run admin beside a running server (embedded database)", () => {
  it("uses the server's PostgreSQL from the data folder: creates a user and a key, the key works against the server (which also serves /api/openapi.json and /api-docs)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pantheon-cli-beside-"));
    chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as "postgres", which must reach the folder
    const port = await freePort();
    const serverEnv = {
      ...process.env,
      DATABASE_URL: "",
      PANTHEON_DATA_DIR: dataDir,
      PANTHEON_PG_PORT: String(await freePort()),
      PORT: String(port),
      SANDBOX_CONTAINER_SCOPE: `cli-beside-${process.pid}`,
      SANDBOX_POOL_SIZE: "0",
      SANDBOX_POOL_MIN: "0",
    };
    const server = spawn(process.execPath, ["--import", "tsx", "server/main.ts", "--dev"], { env: serverEnv, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    server.stdout.on("data", (c: Buffer) => (output += c.toString()));
    server.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => server.on("exit", (code) => resolve(code)));
    cleanups.push(async () => {
      if (server.exitCode === null) {
        server.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    });
    const deadline = Date.now() + 150_000;
    while (!/ready in \d+ ms/.test(output)) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`server did not become ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    // The CLI is given another PANTHEON_PG_PORT on purpose: the port must come from the folder.
    const cliEnv = { ...process.env, DATABASE_URL: "", PANTHEON_DATA_DIR: dataDir, PANTHEON_PG_PORT: String(await freePort()) };
    const email = "beside@test.local";
    const created = await admin(cliEnv, "create-user", "--email", email, "--password", "a long password");
    expect(created.stderr).toContain("using the running embedded PostgreSQL");
    expect(created.stderr).not.toContain("in use by process");
    expect(created.code).toBe(0);
    const minted = await admin(cliEnv, "create-api-key", "--email", email, "--name", "chat service");
    expect(minted.code).toBe(0);
    const key = minted.stdout.trim().split("\n").at(-1) ?? "";
    expect(key).toMatch(/^psk_/);

    const res = await fetch(`http://127.0.0.1:${port}/api/sandbox/projects`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ projects: [], total: 0 });
    const anonymous = await fetch(`http://127.0.0.1:${port}/api/sandbox/projects`);
    expect(anonymous.status).toBe(401);

    // The CLI left the server's database running: the server still answers with it.
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);

    // While a real server is up: the OpenAPI document and its page are served through the
    // request guard and the CSP (the contract itself: server/api/openapi/openapi.int.test.ts).
    const spec = await fetch(`http://127.0.0.1:${port}/api/openapi.json`);
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as { openapi: string }).openapi).toBe("3.1.0");
    const docs = await fetch(`http://127.0.0.1:${port}/api-docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-security-policy")).toContain("script-src");
    expect(await docs.text()).toContain("/api/sandbox/projects/{id}/execute");

    server.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 240_000);

  it("says in one line why when no database runs and none can be started", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pantheon-cli-nodb-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // A data folder that cannot be created: its parent is a file.
    writeFileSync(join(dir, "not-a-folder"), "");
    const env = { ...process.env, DATABASE_URL: "", PANTHEON_DATA_DIR: join(dir, "not-a-folder"), PANTHEON_PG_PORT: String(await freePort()) };
    const result = await admin(env, "create-user", "--email", "x@test.local", "--password", "a long password");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: no PostgreSQL runs on .*not-a-folder\/postgres and starting one on port \d+ failed/);
    expect(result.stderr).toContain("Start the server (npm start)");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("says in one line why when DATABASE_URL does not answer", async () => {
    const env = { ...process.env, DATABASE_URL: `postgresql://u:p@127.0.0.1:${await freePort()}/none` };
    const result = await admin(env, "create-user", "--email", "x@test.local", "--password", "a long password");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: .*reach.*database/i);
    expect(result.stderr).not.toContain(":p@");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
