import { expect, it } from "vitest";
import { VueCheckThread } from "./vue-check-thread";

// The worker thread's bounds (its checks themselves: vue-checker.test.ts, vue-diagnostics.int.test.ts).

const files = new Map([["src/A.vue", '<script setup lang="ts">\nconst n: number = "x";\n</script>\n']]);

it("answers from its worker thread, ends the thread at the deadline, and starts a new one for the next check", async () => {
  const thread = new VueCheckThread({ timeoutMs: 120_000, maxPending: 4 });
  try {
    expect((await thread.check(1, files, "src/A.vue")).map((d) => d.code)).toEqual([2322]);
    // A deadline no check can meet (starting a thread alone takes longer than 1 ms).
    const hurried = new VueCheckThread({ timeoutMs: 1, maxPending: 4 });
    await expect(hurried.check(1, files, "src/A.vue")).rejects.toMatchObject({ code: "TIMEOUT" });
    hurried.stop();
    thread.stop();
    expect((await thread.check(2, files, "src/A.vue")).map((d) => d.code)).toEqual([2322]);
  } finally {
    thread.stop();
  }
}, 240_000);

it("refuses a check beyond the queue's ceiling", async () => {
  const thread = new VueCheckThread({ timeoutMs: 120_000, maxPending: 0 });
  await expect(thread.check(1, files, "src/A.vue")).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
});
