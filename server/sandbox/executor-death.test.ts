import pino from "pino";
import { describe, expect, it } from "vitest";
import type { ContainerState, SandboxDriver } from "./driver";
import type { PreparedExecution } from "./execution-request";
import { Executor, type RunTarget } from "./executor";

// How a command that was killed from outside is classified when its container died under it:
// the exec stream can end before Docker's events say why (gVisor ends the whole sandbox on OOM).

const prepared: PreparedExecution = {
  image: "node",
  argv: ["node", "bomb.js"],
  suffix: "-",
  stdin: undefined,
  command: "node bomb.js",
  language: null,
  type: "run",
  timeoutMs: 30_000,
};

/** Only what Executor.run touches; the exec "ends" with the given exit code. */
function driverWith(exitCode: number | null, states: (ContainerState | null)[]) {
  let inspected = 0;
  const driver = {
    resetMemoryPeak: async () => true,
    usage: async () => null,
    exec: async () => ({ exitCode }),
    inspect: async () => states[Math.min(inspected++, states.length - 1)] ?? null,
  } as unknown as SandboxDriver;
  return { driver, inspections: () => inspected };
}

const state = (running: boolean, oomKilled: boolean): ContainerState => ({
  id: "c1",
  name: "c1",
  running,
  oomKilled,
  exitCode: running ? null : 137,
  labels: {},
});

function target(reason: () => "oom" | "killed" | "died" | null, died = new AbortController()): RunTarget {
  return { containerId: "c1", keepers: () => "|", settledKeepers: async () => "|", deathReason: reason, deathSignal: died.signal };
}

const executor = (driver: SandboxDriver) => new Executor(driver, 64 * 1024, pino({ level: "silent" }));

describe("a container that dies under a command", () => {
  it("waits for Docker's death event: an OOM that arrives after the stream ended is still an OOM", async () => {
    let reason: "oom" | null = null;
    const died = new AbortController();
    const { driver } = driverWith(null, [state(false, false)]);
    const running = executor(driver).run(
      target(() => reason, died),
      prepared,
    );
    setTimeout(() => {
      reason = "oom";
      died.abort();
    }, 20);
    await expect(running).resolves.toMatchObject({ status: "error", reason: "oom", containerLost: true });
  });

  it("lets Docker's record (State.OOMKilled) override a die event that came first as a plain kill", async () => {
    const died = new AbortController();
    died.abort();
    const { driver } = driverWith(null, [state(false, true)]);
    await expect(
      executor(driver).run(
        target(() => "killed", died),
        prepared,
      ),
    ).resolves.toMatchObject({ status: "error", reason: "oom" });
  });

  it("a SIGKILL from inside a container that still runs is a kill, found without waiting for any event", async () => {
    const { driver, inspections } = driverWith(137, [state(true, false)]);
    await expect(
      executor(driver).run(
        target(() => null),
        prepared,
      ),
    ).resolves.toMatchObject({ status: "error", reason: "killed", containerLost: false });
    expect(inspections()).toBe(1);
  });

  it("a Docker that does not answer is no evidence of death: a kill, and the container is kept", async () => {
    const driver = {
      resetMemoryPeak: async () => true,
      usage: async () => null,
      exec: async () => ({ exitCode: 137 }),
      inspect: async () => {
        throw new Error("docker timed out");
      },
    } as unknown as SandboxDriver;
    await expect(
      executor(driver).run(
        target(() => null),
        prepared,
      ),
    ).resolves.toMatchObject({ status: "error", reason: "killed", containerLost: false });
  });

  it("a normal failure asks Docker nothing", async () => {
    const { driver, inspections } = driverWith(1, [state(true, false)]);
    await expect(
      executor(driver).run(
        target(() => null),
        prepared,
      ),
    ).resolves.toMatchObject({ status: "error", reason: null });
    expect(inspections()).toBe(0);
  });
});
