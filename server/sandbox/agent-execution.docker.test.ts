import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapedToBytes } from "./byte-text";
import { startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";
import type { WorkspaceChanges } from "./workspace-files";

// Executions through the container's agent (issue 11 points 2, 3 and 7): what the run wrote is
// saved before its result is reported, whatever the program does to its own processes, and a
// run never reports success while a file it wrote is not in the store.

let t: TestEngine;

beforeAll(async () => {
  // 10,000 files and their folders need more inodes than the default workspace has.
  t = await startTestEngine({ postureCheck: false, maxConcurrent: 12, limits: { memoryBytes: 256 * 1024 * 1024, workspaceInodes: 20_000 } });
});

afterAll(async () => {
  await t?.engine.stop();
});

const run = (projectId: string, command: string, timeoutMs = 60_000) => t.engine.execute(projectId, { kind: "command", command, timeoutMs });

describe(`executions through the agent under ${testRuntime()}`, () => {
  it("kill -9 -1 right after writing files: the files are saved, the status is the shell's own, the agent lives on", async () => {
    // kill(-1) spares the caller (Linux): the shell survives, everything else of uid 1000 dies;
    // the agent and init are another uid and stay. The run then ends as its shell says.
    const r = await run("kill-all", "echo kept > kept.txt; mkdir -p d && echo deep > d/deep.txt; sleep 30 & kill -9 -1; echo after-kill");
    expect(r.status, r.errorOutput).toBe("success");
    expect(r.output).toBe("after-kill\n");
    expect(t.store.files("kill-all").get("kept.txt")?.content).toBe("kept\n");
    expect(t.store.files("kill-all").get("d/deep.txt")?.content).toBe("deep\n");
    const again = await run("kill-all", "cat kept.txt");
    expect(again).toMatchObject({ status: "success", output: "kept\n", containerId: r.containerId });
  });

  it("kill 1 right after writing: init is beyond the sandbox user, the file is saved and the result is honest", async () => {
    const r = await run("kill-init", "echo kept > kept.txt; kill -TERM 1; kill -KILL 1; sleep 0.3; echo still-here");
    expect(r.output).toContain("still-here");
    expect(r.status).toBe("success");
    expect(t.store.files("kill-init").get("kept.txt")?.content).toBe("kept\n");
    expect((await run("kill-init", "cat kept.txt")).output).toBe("kept\n");
  });

  it("keeps NUL and invalid UTF-8 in output as data, byte-exact (byte-text.ts escapes the invalid byte)", async () => {
    const r = await run("nul", "printf 'a\\000b\\377c'");
    expect(r.status).toBe("success");
    expect(r.output).toBe("a\u0000b\uDCFFc");
    expect(escapedToBytes(r.output)).toEqual(Buffer.from([0x61, 0, 0x62, 0xff, 0x63]));
  });

  it("streams 1 GB of output with the output capped and the run recorded as a success", async () => {
    const started = performance.now();
    const r = await run("gigabyte", "head -c 1073741824 /dev/zero | tr '\\000' x; echo done >&2", 300_000);
    console.log(`[agent] 1 GB of output through the agent (${testRuntime()}): ${Math.round(performance.now() - started)} ms`);
    expect(r.status, r.errorOutput).toBe("success");
    expect(r.truncated).toBe(true);
    // The cap keeps head and tail (64 KiB in all for this engine) plus its two marker lines.
    expect(r.output.length).toBeLessThanOrEqual(64 * 1024 + 512);
    expect(r.output).toMatch(/\[pantheon: [^\]]+ of stdout cut\]/);
    expect(r.errorOutput).toBe("done\n");
  }, 320_000);

  it("a single write larger than a pipe, then stderr: both arrive whole", async () => {
    // Under runsc, a >64 KiB write(2) to a docker-attached stdout followed by stderr could lose its
    // end (gVisor, measured with a plain `docker run`). Through the agent the program writes to the
    // agent's pipes, and the agent's own stdout carries h2 frames of at most 16 KiB.
    const r = await t.engine.execute("big-write", {
      kind: "command",
      image: "python",
      command: `python3 -c "import os; assert os.write(1, (b'x' * 99 + b'\\n') * 3000 + b'END\\n') == 300004; os.write(2, b'err\\n')"`,
      timeoutMs: 60_000,
    });
    expect(r.status, r.errorOutput).toBe("success");
    expect(r.truncated).toBe(true);
    expect(r.output.endsWith(`${"x".repeat(99)}\nEND\n`)).toBe(true);
    expect(r.errorOutput).toBe("err\n");
  });

  it("a 10,000-file project loads, and a run saves only what it wrote (no walk of the workspace)", async () => {
    for (let i = 0; i < 10_000; i++) t.store.put("big", `src/d${i % 100}/f${i}.txt`, `file ${i}\n`);
    const first = await run("big", "find src -type f | wc -l", 120_000);
    expect(first.output.trim(), first.errorOutput).toBe("10000");
    const applied = t.store.applied.length;
    const r = await run("big", "echo new > new.txt && echo changed > src/d1/f1.txt && rm src/d2/f2.txt");
    expect(r.status, r.errorOutput).toBe("success");
    expect(r.files).toMatchObject({ upserted: ["new.txt", "src/d1/f1.txt"], deleted: ["src/d2/f2.txt"], error: null });
    expect(t.store.applied.slice(applied)).toHaveLength(1);
    expect(t.store.files("big").size).toBe(10_000);
  }, 180_000);

  it("the agent killed mid-stream: the run ends as an error with the reason within a second, and the next run gets a fresh container", async () => {
    const events: string[] = [];
    let sawOutput!: () => void;
    const output = new Promise<void>((resolve) => (sawOutput = resolve));
    const running = t.engine.execute(
      "agent-dies",
      { kind: "command", command: "for i in $(seq 1 400); do echo line $i; sleep 0.05; done", timeoutMs: 60_000 },
      {
        onEvent: (e) => {
          events.push(e.type);
          if (e.type === "stdout") sawOutput();
        },
      },
    );
    await output;
    const containerId = t.engine.fleet.activeSandboxes().find((s) => s.projectId === "agent-dies")?.containerId;
    expect(containerId).toBeTruthy();
    const killed = performance.now();
    await t.docker
      .getContainer(containerId!)
      // The pattern's backslash keeps this shell's own command line from matching it.
      .exec({
        Cmd: [
          "sh",
          "-c",
          "for p in /proc/[0-9]*; do case $(tr '\\0' ' ' < $p/cmdline 2>/dev/null) in *pantheon-agent\\ serve*) kill -9 ${p#/proc/};; esac; done",
        ],
        User: "0",
      })
      .then((exec) => exec.start({}));
    const r = await running;
    const noticedMs = performance.now() - killed;
    console.log(`[agent] agent killed mid-stream (${testRuntime()}): run ended ${Math.round(noticedMs)} ms after the kill`);
    expect(r.status).toBe("error");
    expect(r.errorOutput).toMatch(/agent/);
    expect(noticedMs).toBeLessThan(1_500);
    expect(events.at(-1)).toBe("exit");
    const next = await run("agent-dies", "echo fresh");
    expect(next).toMatchObject({ status: "success", output: "fresh\n" });
    expect(next.containerId).not.toBe(containerId);
  });

  it("the container killed from outside mid-run: the run ends as an error within a second of the kill (the Docker event, not the ping)", async () => {
    let sawOutput!: () => void;
    const output = new Promise<void>((resolve) => (sawOutput = resolve));
    const running = t.engine.execute(
      "container-dies",
      { kind: "command", command: "while :; do echo tick; sleep 0.05; done", timeoutMs: 60_000 },
      { onEvent: (e) => e.type === "stdout" && sawOutput() },
    );
    await output;
    const containerId = t.engine.fleet.activeSandboxes().find((s) => s.projectId === "container-dies")?.containerId;
    expect(containerId).toBeTruthy();
    await t.docker.getContainer(containerId!).kill();
    const killed = performance.now();
    const r = await running;
    const noticedMs = performance.now() - killed;
    console.log(`[agent] container killed mid-run (${testRuntime()}): run ended ${Math.round(noticedMs)} ms after the kill`);
    expect(r.status).toBe("error");
    // Under runsc the agent's exec stream outlives the container (seconds, until a missed ping):
    // the pool's Docker event must be what ends the run.
    expect(noticedMs).toBeLessThan(1_000);
    const next = await run("container-dies", "echo fresh");
    expect(next).toMatchObject({ status: "success", output: "fresh\n" });
  });

  it("a store that fails to save what a run wrote makes the run an error, never a success", async () => {
    const store = t.store as unknown as { applyChanges: (p: string, c: WorkspaceChanges) => Promise<void> };
    const original = store.applyChanges.bind(t.store);
    await run("store-down", "true");
    store.applyChanges = async () => {
      throw new Error("database unreachable");
    };
    try {
      const r = await run("store-down", "echo lost > lost.txt");
      expect(r.status).toBe("error");
      expect(r.errorOutput).toContain("could not be saved: database unreachable");
      expect(r.files?.error).toContain("database unreachable");
    } finally {
      store.applyChanges = original;
    }
    // The container whose files were not saved is dropped; the store's state is what the next run sees.
    expect((await run("store-down", "test -e lost.txt && echo present || echo absent")).output).toBe("absent\n");
  });
});
