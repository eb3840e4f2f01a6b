import { execFile, execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { freePort } from "@/test/support/global-setup-db";
import { type LogLine, logLineSchema } from "@/server/logging/log-shape";

/** Every non-empty line parsed as a log line of the one shape; a line that is not fails the test, named. */
function logLines(output: string): LogLine[] {
  return output
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => {
      const parsed = logLineSchema.safeParse(
        (() => {
          try {
            return JSON.parse(line) as unknown;
          } catch {
            return line;
          }
        })(),
      );
      if (!parsed.success) throw new Error(`not a log line of the shape: ${line}\n${parsed.error.message}`);
      return parsed.data;
    });
}

const run = promisify(execFile);

describe("server start-up", () => {
  it("stops with a message naming the variable when the configuration is bad", async () => {
    const failure = await run(process.execPath, ["--import", "tsx", "server/main.ts"], {
      encoding: "utf8",
      env: { ...process.env, SANDBOX_MAX_CONCURRENT: "plenty", SANDBOX_RUNTIME: "kata" },
    }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect("code" in failure && failure.code).toBe(78);
    const lines = logLines(`${failure.stdout}\n${failure.stderr}`);
    const error = lines.find((l) => l.level === "error");
    expect(error?.action).toContain("SANDBOX_MAX_CONCURRENT");
    expect(error?.action).toContain('"plenty"');
    expect(error?.action).toContain("SANDBOX_RUNTIME");
    expect(error?.action).not.toMatch(/\\n\s+at /);
  }, 60_000);
});

describe("server lifecycle", () => {
  it("starts on a fresh data folder, then on SIGTERM (delivered twice) drains and stops everything it started", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pantheon-lifecycle-"));
    chmodSync(dataDir, 0o755);
    const scope = `lifecycle-${process.pid}`;
    const env = {
      ...process.env,
      DATABASE_URL: "",
      PANTHEON_DATA_DIR: dataDir,
      PANTHEON_PG_PORT: String(await freePort()),
      PORT: String(await freePort()),
      SANDBOX_CONTAINER_SCOPE: scope,
      SANDBOX_POOL_SIZE: "1",
    };
    const server = spawn(process.execPath, ["--import", "tsx", "server/main.ts", "--dev"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    server.stdout.on("data", (c: Buffer) => (output += c.toString()));
    server.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => server.on("exit", (code) => resolve(code)));

    const deadline = Date.now() + 90_000;
    while (!/ready in \d+ ms/.test(output)) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`server did not become ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(output).toContain("starting the embedded PostgreSQL");
    expect(output).toMatch(/database migrated: \d+_init/);
    expect(output).toContain("previews: http://localhost:<port>/ on ports 4100-4199");
    const docker = new Dockerode();
    const ours = () => docker.listContainers({ all: true, filters: { label: [`pantheon.scope=${scope}`] } });

    // As `npm start` under Ctrl+C or a group kill delivers it: once directly, once forwarded.
    server.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 50));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("SIGTERM: shutting down");
    expect(output).not.toContain("exiting now");
    expect(output).not.toContain("stopping preview listeners failed");
    // One log format: every line of stdout and stderr, from every component (the server, Next in
    // development mode, the engine, the database), parses as the seed's shape.
    const lines = logLines(output);
    expect(lines.at(-1)).toMatchObject({ level: "info", action: "stopped", sandbox_id: "none", context: { component: "server" } });
    expect(await ours()).toEqual([]);
    expect(execFileSync("ps", ["-eo", "args"]).toString()).not.toContain(dataDir);
  }, 150_000);
});
