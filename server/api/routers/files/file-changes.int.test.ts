import { describe, expect, it } from "vitest";
import { keyCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";

type Caller = Awaited<ReturnType<typeof keyCaller>>["caller"];
type Event = { type: string; seq: number; upserted?: string[]; deleted?: string[]; source?: string; aiPersonality?: string | null };

/** tRPC types tracked events as {id, data}; a server-side caller yields the envelope [id, data, symbol]. */
function unwrap(tracked: unknown): [string, Event] {
  if (Array.isArray(tracked)) return [tracked[0] as string, tracked[1] as Event];
  const t = tracked as { id: string; data: Event };
  return [t.id, t.data];
}

/** Reads `count` events (then leaves the subscription), running `during` once the first has arrived. */
async function read(caller: Caller, projectId: number, count: number, during: () => Promise<unknown> = async () => {}, lastEventId?: string) {
  const events: Array<[string, Event]> = [];
  const iterable = await caller.files.changes({ projectId, lastEventId });
  let started: Promise<unknown> | null = null;
  for await (const tracked of iterable) {
    events.push(unwrap(tracked));
    started ??= during();
    if (events.length >= count) break;
  }
  await started;
  return events;
}

describe("files.changes", () => {
  it("starts with a resync, then streams writes, moves and deletes with who made them; resumes after an event id", async () => {
    const user = await makeUser();
    const { caller } = await keyCaller(user, ["projects:read", "projects:write"], "geppo");
    const { id: projectId } = await caller.projects.create({ name: "feed" });

    const events = await read(caller, projectId, 4, async () => {
      await caller.files.write({ projectId, path: "a.txt", content: "a" });
      await caller.files.move({ projectId, from: "a.txt", to: "dir/b.txt", aiPersonality: "c24" });
      await caller.files.delete({ projectId, path: "dir" });
    });
    expect(events.map(([, e]) => e.type)).toEqual(["resync", "change", "change", "change"]);
    expect(events.slice(1).map(([, e]) => [e.upserted, e.deleted, e.source, e.aiPersonality])).toEqual([
      [["a.txt"], [], "api", "geppo"],
      [["dir/b.txt"], ["a.txt"], "api", "c24"],
      [[], ["dir/b.txt"], "api", null],
    ]);
    for (const [id, e] of events) expect(id).toMatch(new RegExp(`^[0-9a-f]+:${e.seq}$`));

    // Reconnecting after the first change replays the two after it, and nothing else.
    const [firstChangeId] = events[1]!;
    const resumed = await read(caller, projectId, 2, undefined, firstChangeId);
    expect(resumed.map(([, e]) => e.seq)).toEqual([events[2]![1].seq, events[3]![1].seq]);

    // A position from another server life is answered with a resync.
    const [stale] = await read(caller, projectId, 1, undefined, "00000000:1");
    expect(stale?.[1].type).toBe("resync");
  });

  it("a refused write publishes nothing", async () => {
    const user = await makeUser();
    const { caller } = await keyCaller(user, ["projects:read", "projects:write"]);
    const { id: projectId } = await caller.projects.create({ name: "feed refused" });
    const events = await read(caller, projectId, 2, async () => {
      await expect(caller.files.write({ projectId, path: "big.txt", content: "x".repeat(1_048_577) })).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
      await caller.files.write({ projectId, path: "ok.txt", content: "fine" });
    });
    expect(events.map(([, e]) => e.upserted ?? e.type)).toEqual(["resync", ["ok.txt"]]);
  });
});
