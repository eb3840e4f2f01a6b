import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { getPrisma } from "@/server/db/client";
import { executionRepository } from "@/server/repositories/execution-repository";
import { processRepository } from "@/server/repositories/process-repository";
import { serverInstanceRepository } from "@/server/repositories/server-instance-repository";
import { RecordSweeper } from "./record-sweeper";

const minutes = (n: number) => new Date(Date.now() + n * 60_000);
const tag = Math.random().toString(36).slice(2, 8);

describe("the record sweeper", () => {
  it("ends the rows nobody will end (dead or silent instance, past the deadline, lost by this one) and leaves the rest", async () => {
    const owner = await makeUser();
    const project = await (await sessionCaller(owner.id)).projects.create({ name: "sweep" });
    // A pid that was alive and is now gone, on this host: a server killed with -9.
    const gone = spawnSync("true").pid ?? 0;
    const self = { id: `s-self-${tag}`, host: hostname(), pid: process.pid };
    const dead = { id: `s-dead-${tag}`, host: hostname(), pid: gone };
    const silent = { id: `s-silent-${tag}`, host: "elsewhere", pid: 1 };
    const alive = { id: `s-alive-${tag}`, host: "elsewhere", pid: 1 };
    await serverInstanceRepository.beat(dead, new Date());
    await serverInstanceRepository.beat(silent, minutes(-10));
    await serverInstanceRepository.beat(alive, new Date());

    const execution = async (instanceId: string | null, deadlineAt: Date | null, finished = false) => {
      const row = await executionRepository.start({
        projectId: project.id,
        userId: owner.id,
        executedCode: "sleep 100",
        language: null,
        executionType: "command",
        executedByAi: null,
        instanceId,
        deadlineAt,
      });
      if (finished)
        await executionRepository.finish(row.id, {
          output: "done",
          errorOutput: "",
          outputTruncated: false,
          exitCode: 0,
          executionTimeMs: 5,
          memoryUsedMb: null,
          cpuUsagePercent: null,
          status: "success",
          statusReason: null,
        });
      return row.id;
    };
    const ids = {
      ofDead: await execution(dead.id, minutes(10)),
      ofSilent: await execution(silent.id, minutes(10)),
      ofUnknown: await execution(`s-never-${tag}`, minutes(10)),
      legacy: await execution(null, null),
      aliveInTime: await execution(alive.id, minutes(10)),
      alivePastDeadline: await execution(alive.id, minutes(-1)),
      mineLive: await execution(self.id, minutes(-1)),
      mineLost: await execution(self.id, minutes(10)),
      mineStarting: await execution(self.id, minutes(10)),
      finished: await execution(dead.id, minutes(10), true),
    };
    // mineLost started two minutes ago; mineStarting just now (its run may not be in memory yet).
    await getPrisma().sandboxExecution.update({ where: { id: ids.mineLost }, data: { executedAt: minutes(-2) } });
    const proc = async (instanceId: string | null) =>
      (
        await processRepository.start({
          projectId: project.id,
          userId: owner.id,
          command: "npm run dev",
          image: "node",
          port: null,
          startedByAi: null,
          instanceId,
        })
      ).id;
    const procs = { ofDead: await proc(dead.id), ofAlive: await proc(alive.id), mineLive: await proc(self.id) };

    const sweeper = new RecordSweeper({
      self,
      live: { execution: (id) => id === ids.mineLive, process: (id) => id === procs.mineLive },
      log: pino({ level: "silent" }),
    });
    const report = await sweeper.sweep();

    const row = (id: number) => getPrisma().sandboxExecution.findUniqueOrThrow({ where: { id } });
    const interrupted = { status: "error", statusReason: "interrupted", finishedAt: expect.any(Date) };
    expect(await row(ids.ofDead)).toMatchObject({
      ...interrupted,
      errorOutput: expect.stringMatching(new RegExp(`interrupted: the server instance ${dead.id} that ran it died`)),
    });
    expect(await row(ids.ofSilent)).toMatchObject({ ...interrupted, errorOutput: expect.stringContaining("stopped answering") });
    expect(await row(ids.ofUnknown)).toMatchObject({ ...interrupted, errorOutput: expect.stringContaining("stopped") });
    expect(await row(ids.legacy)).toMatchObject(interrupted);
    expect(await row(ids.alivePastDeadline)).toMatchObject({ ...interrupted, errorOutput: expect.stringContaining("past its deadline") });
    expect(await row(ids.mineLost)).toMatchObject({ ...interrupted, errorOutput: expect.stringContaining("without recording a result") });
    for (const id of [ids.aliveInTime, ids.mineLive, ids.mineStarting]) expect(await row(id)).toMatchObject({ status: null, finishedAt: null });
    expect(await row(ids.finished)).toMatchObject({ status: "success", statusReason: null, output: "done" });
    expect(report.executions.map((e) => e.id)).toEqual(
      expect.arrayContaining([ids.ofDead, ids.ofSilent, ids.ofUnknown, ids.legacy, ids.alivePastDeadline, ids.mineLost]),
    );

    const p = (id: number) => processRepository.findWithOutput(id);
    expect(await p(procs.ofDead)).toMatchObject({ status: "failed", endedAt: expect.any(Date), output: expect.stringContaining("ended with its container") });
    expect(await p(procs.ofAlive)).toMatchObject({ status: "running", endedAt: null });
    expect(await p(procs.mineLive)).toMatchObject({ status: "running" });

    // The sweep registered this instance's heartbeat; a clean stop forgets it, so its rows are
    // swept at once by whoever comes next.
    expect((await serverInstanceRepository.find([self.id])).map((i) => i.id)).toEqual([self.id]);
    await sweeper.stop({ forget: true });
    expect(await serverInstanceRepository.find([self.id])).toEqual([]);
    // A second sweep by another instance ends what the stopped one left.
    const next = new RecordSweeper({
      self: { ...self, id: `s-next-${tag}` },
      live: { execution: () => false, process: () => false },
      log: pino({ level: "silent" }),
    });
    await next.sweep();
    expect(await row(ids.mineLive)).toMatchObject({ ...interrupted, errorOutput: expect.stringContaining(`instance ${self.id}`) });
    expect(await p(procs.mineLive)).toMatchObject({ status: "failed" });
    await next.stop({ forget: true });
  });

  it("removes the containers of dead instances each round, never a live one's", async () => {
    const gone = spawnSync("true").pid ?? 0;
    const self = { id: `s-me-${tag}`, host: hostname(), pid: process.pid };
    const dead = { id: `s-killed-${tag}`, host: hostname(), pid: gone };
    const silent = { id: `s-quiet-${tag}`, host: "elsewhere", pid: 1 };
    const alive = { id: `s-peer-${tag}`, host: "elsewhere", pid: 1 };
    await serverInstanceRepository.beat(dead, new Date());
    await serverInstanceRepository.beat(silent, new Date(Date.now() - 20_000));
    await serverInstanceRepository.beat(alive, new Date());
    const now = Date.now();
    // Instance label → youngest container's creation time, as the engine's fleet reports them.
    const labelled = new Map([
      [dead.id, now - 60_000],
      [silent.id, now - 60_000],
      [alive.id, now - 60_000],
      [`s-vanished-${tag}`, now - 120_000], // no row (forgotten), old containers: an orphan
      [`s-booting-${tag}`, now - 1_000], // no row yet, a container just made: left alone
    ]);
    const removed: string[] = [];
    const sweeper = new RecordSweeper({
      self,
      live: { execution: () => false, process: () => false },
      log: pino({ level: "silent" }),
      containers: () => ({
        otherInstancesWithContainers: async () => new Map([...labelled].filter(([id]) => !removed.includes(id))),
        removeInstanceContainers: async (id) => (removed.push(id), 2),
      }),
    });
    await sweeper.sweep();
    expect(removed.sort()).toEqual([dead.id, silent.id, `s-vanished-${tag}`].sort());
    // The next round finds nothing more to remove (the live peer and the booting one stay).
    await sweeper.sweep();
    expect(removed).toHaveLength(3);
    await sweeper.stop({ forget: true });
  });
});
