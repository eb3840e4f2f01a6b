import { afterAll, beforeAll, expect, it } from "vitest";
import { keyCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { startAppEngine } from "@/test/support/app-engine";
import type { SandboxEngine } from "@/server/sandbox/engine";

let engine: SandboxEngine;
beforeAll(async () => {
  ({ engine } = await startAppEngine());
});
afterAll(() => engine.stop());

type Event = { type: string; upserted?: string[]; deleted?: string[]; source?: string };
const dataOf = (tracked: unknown): Event => (Array.isArray(tracked) ? (tracked[1] as Event) : (tracked as { data: Event }).data);

it("files an execution writes or deletes in the container reach files.changes as an 'execution' change", async () => {
  const user = await makeUser();
  const { caller } = await keyCaller(user, ["projects:read", "projects:write", "executions:run"]);
  const { id: projectId } = await caller.projects.create({ name: "sync feed" });
  await caller.files.write({ projectId, path: "gone.txt", content: "bye" });

  const iterable = await caller.files.changes({ projectId });
  const events: Event[] = [];
  let ran: Promise<unknown> | null = null;
  for await (const tracked of iterable) {
    const event = dataOf(tracked);
    events.push(event);
    ran ??= caller.executions.run({
      projectId,
      kind: "command",
      command: `node -e "require('fs').mkdirSync('out'); require('fs').writeFileSync('out/made.txt', 'hi'); require('fs').unlinkSync('gone.txt')"`,
    });
    if (event.source === "execution") break;
  }
  await ran;
  expect(events[0]?.type).toBe("resync");
  expect(events.at(-1)).toMatchObject({ type: "change", source: "execution", upserted: ["out/made.txt"], deleted: ["gone.txt"] });
  expect((await caller.files.read({ projectId, path: "out/made.txt" })).content).toBe("hi");
});

it("a file a background process writes reaches files.changes with no execution; the IDE's own saves are never echoed back nor conflict", async () => {
  const user = await makeUser();
  const { caller } = await keyCaller(user, ["projects:read", "projects:write", "executions:run"]);
  const { id: projectId } = await caller.projects.create({ name: "watch feed" });
  let version = (await caller.files.write({ projectId, path: "edit.ts", content: "one\n", baseVersion: null })).version;
  // A live container, watched by its agent.
  await caller.executions.run({ projectId, kind: "command", command: "true" });

  const iterable = await caller.files.changes({ projectId });
  const events: Event[] = [];
  let acted = false;
  for await (const tracked of iterable) {
    const event = dataOf(tracked);
    events.push(event);
    if (!acted) {
      acted = true;
      // IDE saves, each mirrored into the container (the watcher sees them too), then a program's write.
      for (const content of ["two\n", "three\n"]) version = (await caller.files.write({ projectId, path: "edit.ts", content, baseVersion: version })).version;
      const proc = await engine.spawn(String(projectId), { image: "node", argv: ["sh", "-c", "echo from the background > bg.txt"] });
      proc.stdout.resume();
      proc.stderr.resume();
    }
    if (event.source === "execution") break;
  }
  expect(events.filter((e) => e.source === "execution")).toEqual([expect.objectContaining({ type: "change", upserted: ["bg.txt"], deleted: [] })]);
  expect((await caller.files.read({ projectId, path: "bg.txt" })).content).toBe("from the background\n");
  // The IDE goes on from the version it holds: nobody else changed the file.
  expect((await caller.files.write({ projectId, path: "edit.ts", content: "four\n", baseVersion: version })).content).toBe("four\n");
});
