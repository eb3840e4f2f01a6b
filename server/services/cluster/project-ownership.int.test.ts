import pino from "pino";
import { describe, expect, it } from "vitest";
import { makeUser } from "@/test/fixtures/accounts";
import { sessionCaller } from "@/test/support/callers";
import { getPrisma } from "@/server/db/client";
import { fileRepository, ProjectTakenError } from "@/server/repositories/file-repository";
import { projectOwnerRepository } from "@/server/repositories/project-owner-repository";
import { serverInstanceRepository } from "@/server/repositories/server-instance-repository";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { ProjectOwnership } from "./project-ownership";

// Project ownership over the real PostgreSQL (SCALE.md, "Project ownership"): the one statement
// that acquires (a race has one winner; a dead holder is taken over on the database's clock), the
// fence on saves (an instance that lost the project cannot overwrite newer files), and an
// instance's own side: fencing itself after a silence, dropping a project whose row was taken.
const STALE_MS = 15_000;
const tag = Math.random().toString(36).slice(2, 8);
let n = 0;
const instance = (name: string) => ({ id: `s-${name}-${tag}-${++n}`, host: "elsewhere", pid: 1 });
const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);

async function project(): Promise<number> {
  const owner = await makeUser();
  return (await (await sessionCaller(owner.id)).projects.create({ name: `own-${++n}` })).id;
}

async function alive(name: string) {
  const i = instance(name);
  await serverInstanceRepository.beatOnDatabaseClock(i);
  return i;
}

/** The parts of the engine ownership uses, recording what it was asked to release. */
function fakeEngine(active: { projectId: string; busy?: number }[] = []) {
  const released: string[] = [];
  const engine = {
    releaseProject: async (projectId: string) => {
      released.push(projectId);
      const i = active.findIndex((a) => a.projectId === projectId);
      if (i >= 0) active.splice(i, 1);
    },
    spawnedProcesses: () => 0,
    fleet: { activeSandboxes: () => active.map((a) => ({ projectId: a.projectId, busy: a.busy ?? 0 })) },
  } as unknown as SandboxEngine;
  return { engine, released };
}

function ownership(self: string, engine: SandboxEngine, settleMs = 0) {
  return new ProjectOwnership({ self, staleAfterMs: STALE_MS, settleMs, engine: () => engine, log: pino({ level: "silent" }) });
}

describe("project ownership (project_owners)", () => {
  it("is taken by one instance; another sees the holder; the holder keeps its epoch on a second acquire", async () => {
    const [a, b, p] = [await alive("a"), await alive("b"), await project()];
    const first = await projectOwnerRepository.acquire(p, a.id, STALE_MS);
    expect(first.kind).toBe("acquired");
    expect(await projectOwnerRepository.acquire(p, b.id, STALE_MS)).toEqual({ kind: "held-by", instanceId: a.id, epoch: (first as { epoch: number }).epoch });
    expect(await projectOwnerRepository.acquire(p, a.id, STALE_MS)).toEqual(first);
  });

  it("has exactly one winner when two instances race for the same projects", async () => {
    const [a, b] = [await alive("a"), await alive("b")];
    for (let round = 0; round < 10; round++) {
      const p = await project();
      const who = (i: number) => (i % 2 ? a.id : b.id);
      const tries = await Promise.all(Array.from({ length: 8 }, (_, i) => projectOwnerRepository.acquire(p, who(i), STALE_MS)));
      const row = await projectOwnerRepository.find(p);
      // One holder: every try of the winner acquired (one epoch), every try of the other was told its name.
      const acquiredBy = new Set(tries.flatMap((t, i) => (t.kind === "acquired" ? [who(i)] : [])));
      expect([...acquiredBy]).toEqual([row?.instanceId]);
      expect(new Set(tries.flatMap((t) => (t.kind === "acquired" ? [t.epoch] : [])))).toEqual(new Set([row?.epoch]));
      for (const t of tries) if (t.kind !== "acquired") expect(t).toEqual({ kind: "held-by", instanceId: row?.instanceId, epoch: row?.epoch });
    }
  });

  it("is taken over from a dead holder (heartbeat stale on the database's clock, or no row) with a new epoch", async () => {
    const [b, p, q] = [await alive("b"), await project(), await project()];
    const silent = instance("silent");
    await serverInstanceRepository.beat(silent, new Date());
    const held = await projectOwnerRepository.acquire(p, silent.id, STALE_MS);
    expect(held.kind).toBe("acquired");
    expect((await projectOwnerRepository.acquire(p, b.id, STALE_MS)).kind).toBe("held-by");
    await serverInstanceRepository.beat(silent, secondsAgo(16));
    const taken = await projectOwnerRepository.acquire(p, b.id, STALE_MS);
    expect(taken.kind).toBe("acquired");
    expect((taken as { epoch: number }).epoch).not.toBe((held as { epoch: number }).epoch);

    const gone = instance("gone");
    await serverInstanceRepository.beat(gone, new Date());
    expect((await projectOwnerRepository.acquire(q, gone.id, STALE_MS)).kind).toBe("acquired");
    await serverInstanceRepository.remove(gone.id);
    expect((await projectOwnerRepository.acquire(q, b.id, STALE_MS)).kind).toBe("acquired");
  });

  it("refuses an instance whose own heartbeat is stale, even for a free project", async () => {
    const stale = instance("stale");
    await serverInstanceRepository.beat(stale, secondsAgo(20));
    expect(await projectOwnerRepository.acquire(await project(), stale.id, STALE_MS)).toEqual({ kind: "self-stale" });
  });

  it("beats on the database's clock and tells the previous beat", async () => {
    const i = instance("beat");
    const first = await serverInstanceRepository.beatOnDatabaseClock(i);
    expect(first.previous).toBeNull();
    const second = await serverInstanceRepository.beatOnDatabaseClock(i);
    expect(second.previous?.getTime()).toBe(first.now.getTime());
    expect(second.now.getTime()).toBeGreaterThanOrEqual(first.now.getTime());
  });

  it("refuses a save from an instance that lost the project, whether the new owner still holds it or released it", async () => {
    const [b, p] = [await alive("b"), await project()];
    const a = instance("a");
    await serverInstanceRepository.beat(a, new Date());
    const mine = await projectOwnerRepository.acquire(p, a.id, STALE_MS);
    if (mine.kind !== "acquired") throw new Error("a should hold it");
    const write = (content: string, owner: { instanceId: string; epoch: number }) =>
      fileRepository.applyChanges(
        p,
        [{ filePath: "f.txt", content, encoding: "utf8", sizeBytes: content.length, version: content, fileType: "text" }],
        [],
        undefined,
        {},
        owner,
      );
    await expect(write("a's first", { instanceId: a.id, epoch: mine.epoch })).resolves.toMatchObject({ ok: true });

    // A falls silent; B takes over and saves newer content.
    await serverInstanceRepository.beat(a, secondsAgo(20));
    const theirs = await projectOwnerRepository.acquire(p, b.id, STALE_MS);
    if (theirs.kind !== "acquired") throw new Error("b should take it");
    await expect(write("b's newer", { instanceId: b.id, epoch: theirs.epoch })).resolves.toMatchObject({ ok: true });
    await expect(write("a's late write", { instanceId: a.id, epoch: mine.epoch })).rejects.toBeInstanceOf(ProjectTakenError);
    // B releases (idle): the row is gone, and A's late write is still refused.
    await projectOwnerRepository.release(p, b.id, theirs.epoch);
    await expect(write("a's later write", { instanceId: a.id, epoch: mine.epoch })).rejects.toBeInstanceOf(ProjectTakenError);
    expect((await fileRepository.find(p, "f.txt"))?.content).toBe("b's newer");
  });

  it("fences an instance that finds it was silent: its containers are released, its rows go, and it acquires again only after settling", async () => {
    const [p, q] = [await project(), await project()];
    const a = await alive("a");
    const { engine, released } = fakeEngine([{ projectId: String(p) }, { projectId: String(q) }]);
    const own = ownership(a.id, engine, 300);
    expect((await own.acquire(p)).kind).toBe("acquired");
    expect((await own.acquire(q)).kind).toBe("acquired");
    own.containerBound(p, "c-p");
    own.containerBound(q, "c-q");

    // A paused process resumes: its beat finds the previous one 20 s old.
    const now = new Date();
    await own.afterBeat({ now, previous: new Date(now.getTime() - 20_000), sentAt: Date.now() });
    expect(released.sort()).toEqual([String(p), String(q)].sort());
    expect(await projectOwnerRepository.heldBy(a.id)).toEqual([]);
    expect(own.holds(p)).toBe(false);
    const t = Date.now();
    expect((await own.acquire(p)).kind).toBe("acquired");
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
  });

  it("drops a project whose row another instance took, and hands an idle project to a peer but not a busy one", async () => {
    const [p, q] = [await project(), await project()];
    const a = await alive("a");
    const b = await alive("b");
    const active = [{ projectId: String(p) }, { projectId: String(q), busy: 1 }];
    const { engine, released } = fakeEngine(active);
    const own = ownership(a.id, engine);
    await own.acquire(p);
    await own.acquire(q);
    own.containerBound(p, "c-p");

    // B took p while A's memory still says it holds it (A was silent, then beat in time again).
    await getPrisma().projectOwner.update({ where: { projectId: p }, data: { instanceId: b.id, epoch: 999_999_999 } });
    await own.afterBeat({ now: new Date(), previous: new Date(), sentAt: Date.now() });
    expect(released).toEqual([String(p)]);
    expect(own.holds(p)).toBe(false);
    expect((await projectOwnerRepository.find(p))?.instanceId).toBe(b.id);

    // q runs an execution: a peer's request to move it is refused; once idle, it is handed over.
    expect(await own.giveUp(q)).toBe(false);
    expect((await projectOwnerRepository.find(q))?.instanceId).toBe(a.id);
    active[0] = { projectId: String(q) };
    active.length = 1;
    expect(await own.giveUp(q)).toBe(true);
    expect(await projectOwnerRepository.find(q)).toBeNull();
    expect(released).toEqual([String(p), String(q)]);
    expect((await projectOwnerRepository.acquire(q, b.id, STALE_MS)).kind).toBe("acquired");
  });

  it("keeps the row when a container ends under work placed here (it binds the next one), and gives it up when an idle one ends", async () => {
    const p = await project();
    const a = await alive("a");
    const own = ownership(a.id, fakeEngine().engine);
    const placed = await own.acquireForUse(p);
    if (placed.kind !== "acquired") throw new Error("a should hold it");
    own.containerBound(p, "c-1");
    own.containerEnded(p, "c-1");
    own.containerBound(p, "c-2");
    expect(own.holds(p)).toBe(true);
    expect((await projectOwnerRepository.find(p))?.instanceId).toBe(a.id);
    placed.done();
    own.containerEnded(p, "c-old"); // another container's notice: not this hold's
    expect(own.holds(p)).toBe(true);
    own.containerEnded(p, "c-2");
    expect(own.holds(p)).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(await projectOwnerRepository.find(p)).toBeNull();
  });

  it("counts work placed on a project as busy until it ends", async () => {
    const p = await project();
    const a = await alive("a");
    const own = ownership(a.id, fakeEngine().engine);
    const placed = await own.acquireForUse(p);
    if (placed.kind !== "acquired") throw new Error("a should hold it");
    expect(own.busy(p)).toBe(true);
    expect(await own.giveUp(p)).toBe(false);
    placed.done();
    expect(own.busy(p)).toBe(false);
    expect(await own.giveUp(p)).toBe(true);
  });
});
