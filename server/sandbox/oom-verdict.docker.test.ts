import { PassThrough } from "node:stream";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";

// A memory bomb under gVisor takes the whole sandbox down: the host's OOM killer ends the
// sentry, the agent's stream ends, and the pool releases (removes) the container at once. Whether
// the run says "oom" then rests on Docker's oom event, which on a loaded machine arrives after
// that removal. Here every Docker event reaches the engine 1.5 s late, as it can under load: the
// verdict must still be "oom" (under runc the run's own process is the one killed, and the
// agent's cgroup count says so; the test holds there too).

const EVENT_DELAY_MS = 1_500;

/** Docker whose event stream reaches the engine late, in order. */
class LateEventsDocker extends Dockerode {
  override async getEvents(options?: object): Promise<NodeJS.ReadableStream> {
    const real = (await super.getEvents(options ?? {})) as NodeJS.ReadableStream & { destroy?: () => void };
    const late = new PassThrough();
    real.on("data", (chunk: Buffer) => setTimeout(() => late.write(chunk), EVENT_DELAY_MS));
    real.on("end", () => setTimeout(() => late.end(), EVENT_DELAY_MS));
    late.on("close", () => real.destroy?.());
    return late;
  }
}

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({}, new LateEventsDocker());
});
afterAll(async () => {
  await t?.engine.stop();
});

describe(`the OOM verdict under ${testRuntime()}`, () => {
  it("a memory bomb is reported as oom even when Docker's events come after the container is gone", async () => {
    const r = await t.engine.execute("late-oom", {
      kind: "command",
      command: `node -e "const a=[]; for(;;) a.push(Buffer.alloc(8*1024*1024, 1))"`,
      timeoutMs: 30_000,
    });
    expect(r.status).toBe("error");
    expect(r.reason, `peak ${r.memoryPeakMb} MiB, exit ${r.exitCode}, ${r.errorOutput.slice(-200)}`).toBe("oom");
    const after = await t.engine.execute("late-oom", { kind: "command", command: "echo still-ok" });
    expect(after).toMatchObject({ status: "success", output: "still-ok\n" });
  });
});
