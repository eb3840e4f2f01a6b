import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";

// A save while an execution runs (issue 19 point 4's "no lost edits" meets a long Run): the edit
// reaches the running container at once, not when the run ends, and the run's exit save keeps it.

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine({ postureCheck: false });
});

afterAll(async () => {
  await t?.engine.stop();
});

const file = (path: string, content: string) => ({ path, content, encoding: "utf8" as const, size: Buffer.byteLength(content) });

describe(`a file saved during an execution under ${testRuntime()}`, () => {
  it("reaches the running program before the run ends, and the run's exit save keeps it", async () => {
    const id = "write-during-run";
    t.store.put(id, "flag.txt", "old\n");
    // The program waits (up to 30 s) for the edit and says when it sees it.
    const command = 'echo started; for i in $(seq 300); do grep -q new flag.txt && { echo seen; exit 0; }; sleep 0.1; done; echo "never saw it"; exit 1';
    let finished = false;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const result = t.engine
      .execute(id, { kind: "command", command, timeoutMs: 60_000 }, { onEvent: (e) => e.type === "stdout" && e.data.includes("started") && started() })
      .finally(() => (finished = true));
    await running;

    await t.engine.writeFiles(id, [file("flag.txt", "new\n")]);
    // The write answered while the run still waits for it (it used to queue behind the whole run).
    expect(finished).toBe(false);

    const r = await result;
    expect(r.status, r.errorOutput).toBe("success");
    expect(r.output).toBe("started\nseen\n");
    expect(t.store.files(id).get("flag.txt")?.content).toBe("new\n");
    expect((await t.engine.execute(id, { kind: "command", command: "cat flag.txt", timeoutMs: 30_000 })).output).toBe("new\n");
  });
});
