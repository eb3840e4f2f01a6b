import { describe, expect, it } from "vitest";
import { sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { openHubExecution } from "@/test/support/hub-execution";
import { getExecutionHub } from "@/server/services/executions/execution-hub";

// A tracked event reaches a server-side caller as its envelope [id, data, marker].
type Envelope = [string, { id: number; executedCode: string | null }];
const ids = (items: unknown[]) => items.map((t) => (t as Envelope)[1].id);

async function project() {
  const owner = await makeUser();
  const caller = await sessionCaller(owner.id);
  const { id } = await caller.projects.create({ name: "feed" });
  return { owner, caller, projectId: id };
}

describe("executions.feed", () => {
  it("announces the running executions, then each new one of this project only, once", async () => {
    const { owner, caller, projectId } = await project();
    const other = await caller.projects.create({ name: "elsewhere" });
    const done = await openHubExecution(projectId, owner.id, "echo finished");
    await done.finish();
    const running = await openHubExecution(projectId, owner.id, "sleep 100");

    const feed = (await caller.executions.feed({ projectId }))[Symbol.asyncIterator]();
    const first = await feed.next();
    const [eventId, announced] = first.value as unknown as Envelope;
    expect(announced).toMatchObject({ id: running.id, executedCode: "sleep 100" });
    expect(eventId).toBe(String(running.id));

    // Announced again (as when it starts between the watcher attaching and the backlog query): skipped.
    getExecutionHub().open(running.id, projectId, new AbortController());
    const elsewhere = await openHubExecution(other.id, owner.id);
    const next = await openHubExecution(projectId, owner.id, "npm test");
    const second = await feed.next();
    expect(ids([second.value])).toEqual([next.id]);
    await Promise.all([running.finish(), next.finish(), elsewhere.finish()]);
    await feed.return?.(undefined);
  });

  it("resuming after lastEventId announces exactly the executions started since", async () => {
    const { owner, caller, projectId } = await project();
    const a = await openHubExecution(projectId, owner.id);
    const b = await openHubExecution(projectId, owner.id);
    const c = await openHubExecution(projectId, owner.id);
    for (const e of [a, b, c]) await e.finish();

    const feed = (await caller.executions.feed({ projectId, lastEventId: a.id }))[Symbol.asyncIterator]();
    const got = [(await feed.next()).value, (await feed.next()).value];
    expect(ids(got)).toEqual([b.id, c.id]);
    const d = await openHubExecution(projectId, owner.id);
    expect(ids([(await feed.next()).value])).toEqual([d.id]);
    await d.finish();
    await feed.return?.(undefined);
  });
});
