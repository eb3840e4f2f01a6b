import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";
import type { AgentConnection } from "./agent/agent-connection";
import type { SandboxExecutionResult } from "./engine";

// A command without shell syntax starts as argv, without `bash -c` (plain-command.ts and the
// agent's plain_command). What a user sees must not change: the same commands run by an engine
// that always uses bash give the same output, exit codes, statuses and environment.

let plainEngine: TestEngine;
let bashEngine: TestEngine;
/** The plain_command flag of every Start the plain engine's agents received, per project. */
const starts = new Map<string, boolean[]>();

beforeAll(async () => {
  [plainEngine, bashEngine] = await Promise.all([startTestEngine({ postureCheck: false }), startTestEngine({ postureCheck: false, plainCommands: false })]);
});

afterAll(async () => {
  await Promise.all([plainEngine?.engine.stop(), bashEngine?.engine.stop()]);
});

function spy(project: string) {
  const lease = (plainEngine.engine as unknown as { pool: { lease(p: string): { container: { agent: AgentConnection } } | undefined } }).pool.lease(project);
  const process = lease?.container.agent.process;
  if (!process || starts.has(project)) return;
  const seen: boolean[] = [];
  starts.set(project, seen);
  const start = process.start.bind(process);
  (process as { start: unknown }).start = (req: { plainCommand?: boolean }, opts: unknown) => {
    seen.push(req.plainCommand === true);
    return start(req, opts as never);
  };
}

/** Runs the command in both engines (same project name) and returns both results. */
async function both(project: string, command: string, timeoutMs = 20_000): Promise<[SandboxExecutionResult, SandboxExecutionResult]> {
  const request = { kind: "command" as const, command, timeoutMs };
  const plain = await plainEngine.engine.execute(project, request);
  spy(project);
  const bash = await bashEngine.engine.execute(project, request);
  return [plain, bash];
}

const seen = (r: SandboxExecutionResult) => ({ status: r.status, exitCode: r.exitCode, output: r.output, errorOutput: r.errorOutput, reason: r.reason });

describe(`commands without a shell under ${testRuntime()}`, () => {
  it("starts a plain command without bash, with bash's environment, cwd and argv", async () => {
    await both("env", "true"); // leases the container, installs the spy
    const [p, b] = await both("env", "env");
    expect(starts.get("env")?.at(-1)).toBe(true);
    const lines = (r: SandboxExecutionResult) =>
      r.output
        .split("\n")
        .filter((l) => l && !l.startsWith("HOSTNAME="))
        .sort();
    expect(p.status).toBe("success");
    expect(lines(p)).toEqual(lines(b));
    expect(lines(p)).toEqual(expect.arrayContaining(["PWD=/workspace", "SHLVL=0", "_=/usr/bin/env"]));
    for (const command of ["printenv _ PWD SHLVL PATH HOME", "/bin/pwd", "echo 1", "true", "echo a=b c:d e,f 50% +x"]) {
      const [p2, b2] = await both("env", command);
      expect(seen(p2), command).toEqual(seen(b2));
      expect(p2.status, command).toBe("success");
    }
  });

  it("exit codes and signals are the program's, as through bash", async () => {
    await both("codes", "printf '#!/bin/sh\\nexit 3\\n' > ex3; printf '#!/bin/sh\\nkill -TERM $$\\n' > term; chmod +x ex3 term");
    spy("codes");
    const count = starts.get("codes")?.length ?? 0;
    const [p3, b3] = await both("codes", "./ex3");
    expect(seen(p3)).toEqual(seen(b3));
    expect(p3.exitCode).toBe(3);
    const [pt, bt] = await both("codes", "./term");
    expect(seen(pt)).toEqual(seen(bt));
    expect(pt.exitCode).toBe(143);
    const [pf, bf] = await both("codes", "false");
    expect(seen(pf)).toEqual(seen(bf));
    expect(pf.exitCode).toBe(1);
    // Each was one plain start (false: the file, which does what the builtin does).
    expect(starts.get("codes")?.slice(count)).toEqual([true, true, true]);
  });

  it("what only bash can do falls back to bash: a missing command, a script without #!, a timeout", async () => {
    await both("fallback", "printf 'echo as-a-script $0\\n' > noshebang; chmod +x noshebang");
    spy("fallback");
    const count = starts.get("fallback")?.length ?? 0;
    const [pm, bm] = await both("fallback", "no-such-command-xyz");
    expect(seen(pm)).toEqual(seen(bm));
    expect(pm.exitCode).toBe(127);
    expect(pm.errorOutput).toContain("no-such-command-xyz: command not found");
    const [ps, bs] = await both("fallback", "./noshebang");
    expect(seen(ps)).toEqual(seen(bs));
    expect(ps.output).toBe("as-a-script ./noshebang\n");
    // Refused by the agent (nothing started), then run by bash: two Starts each.
    expect(starts.get("fallback")?.slice(count)).toEqual([true, false, true, false]);
    const [pz, bz] = await both("fallback", "sleep 30", 500);
    expect(pz.status).toBe("timeout");
    expect(seen(pz)).toEqual(seen(bz));
  });

  it("shell syntax and builtins still go through bash", async () => {
    await both("shell", "true");
    spy("shell");
    const count = starts.get("shell")?.length ?? 0;
    for (const command of ["echo $HOME", "cd /tmp", "echo -n x", "pwd", "true --help"]) {
      const [p, b] = await both("shell", command);
      expect(seen(p), command).toEqual(seen(b));
    }
    expect(starts.get("shell")?.slice(count)).toEqual([false, false, false, false, false]);
  });
});
