import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABEL_INSTANCE, LABEL_SANDBOX } from "./driver";
import { eventually, startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";

const docker = new Dockerode();

async function ourContainers(instanceId: string) {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL_SANDBOX}=1`, `${LABEL_INSTANCE}=${instanceId}`] } });
}

describe(`engine lifecycle under ${testRuntime()}`, () => {
  let t: TestEngine;

  beforeAll(async () => {
    // An orphan from a "previous run": the boot reaper must remove it.
    const orphan = await docker.createContainer({
      Image: "pantheon-sandbox/node:latest",
      Cmd: ["sleep", "60"],
      Labels: { [LABEL_SANDBOX]: "1", [LABEL_INSTANCE]: "i-previous-run" },
    });
    t = await startTestEngine({ poolSizePerImage: 2, maxConcurrent: 3, reapOtherInstances: true });
    expect(
      await docker
        .getContainer(orphan.id)
        .inspect()
        .catch((e: { statusCode?: number }) => e.statusCode),
    ).toBe(404);
  });

  afterAll(async () => {
    await t?.engine.stop();
  });

  it("starts ready, with the posture check passed and the runtime in effect", async () => {
    const status = t.engine.status();
    expect(status).toMatchObject({ state: "ready", runtime: testRuntime(), missingImages: [] });
    expect(status.reapedAtBoot).toBeGreaterThanOrEqual(1);
    expect(status.posture?.ok).toBe(true);
    await eventually(() => t.engine.status().pool.warm.node === 2);
    const containers = await ourContainers(status.instanceId);
    expect(containers).toHaveLength(2);
    for (const c of containers) {
      const info = await docker.getContainer(c.Id).inspect();
      expect(info.HostConfig.Runtime).toBe(testRuntime());
      expect(info.Config.Labels).toMatchObject({ [LABEL_SANDBOX]: "1", "pantheon.image": "node" });
    }
  });

  it("acquires warm in milliseconds, refills the pool, and never reuses a container across projects", async () => {
    await eventually(() => t.engine.status().pool.warm.node === 2);
    const a = await t.engine.execute("proj-a", { kind: "command", command: "echo a > mine.txt; hostname" });
    expect(a.status).toBe("success");
    const a2 = await t.engine.execute("proj-a", { kind: "command", command: "cat mine.txt" });
    expect(a2.containerId).toBe(a.containerId);
    expect(a2.output).toBe("a\n");
    const b = await t.engine.execute("proj-b", { kind: "command", command: "ls; echo listed" });
    expect(b.containerId).not.toBe(a.containerId);
    expect(b.output).toBe("listed\n"); // nothing of proj-a's in proj-b's workspace
    await eventually(() => t.engine.status().pool.warm.node === 2);

    await t.engine.releaseProject("proj-a");
    expect(
      await docker
        .getContainer(a.containerId!)
        .inspect()
        .catch((e: { statusCode?: number }) => e.statusCode),
    ).toBe(404);
    const c = await t.engine.execute("proj-c", { kind: "command", command: "ls; echo listed" });
    expect(c.containerId).not.toBe(a.containerId);
    expect(c.output).toBe("listed\n");
    // proj-a comes back on a fresh container with its files restored from the store.
    const a3 = await t.engine.execute("proj-a", { kind: "command", command: "cat mine.txt" });
    expect(a3.containerId).not.toBe(a.containerId);
    expect(a3.output).toBe("a\n");
    await Promise.all(["proj-a", "proj-b", "proj-c"].map((p) => t.engine.releaseProject(p)));
  });

  it("names the bound container after its project (labels are immutable; the lease map is the authority)", async () => {
    const r = await t.engine.execute("named-7", { kind: "command", command: "true" });
    await eventually(async () => (await docker.getContainer(r.containerId!).inspect()).Name.includes("-p-named-7-"));
    await t.engine.releaseProject("named-7");
  });

  it("refuses beyond maxConcurrent with reason capacity", async () => {
    const held = await Promise.all(["c1", "c2", "c3"].map((p) => t.engine.execute(p, { kind: "command", command: "true" })));
    expect(
      held.map((r) => r.status),
      JSON.stringify(held.map((r) => [r.errorCode, r.errorOutput, r.reason, r.exitCode])),
    ).toEqual(["success", "success", "success"]);
    const events: string[] = [];
    const r = await t.engine.execute("c4", { kind: "command", command: "true" }, { onEvent: (e) => events.push(e.type) });
    expect(r).toMatchObject({ status: "error", reason: "capacity", errorCode: "CAPACITY", containerId: null });
    expect(events).toEqual(["stderr", "exit"]);
    await Promise.all(["c1", "c2", "c3"].map((p) => t.engine.releaseProject(p)));
    expect((await t.engine.execute("c4", { kind: "command", command: "true" })).status).toBe("success");
    await t.engine.releaseProject("c4");
  });

  it("notices a container killed from outside (Docker events) and restores the files in a fresh one", async () => {
    const first = await t.engine.execute("killed", { kind: "command", command: "echo precious > saved.txt" });
    expect(first.files?.upserted).toEqual(["saved.txt"]);
    await docker.getContainer(first.containerId!).kill();
    const next = await t.engine.execute("killed", { kind: "command", command: "cat saved.txt" });
    expect(next.status).toBe("success");
    expect(next.containerId).not.toBe(first.containerId);
    expect(next.output).toBe("precious\n");
    await t.engine.releaseProject("killed");
  });

  it("releases a project's container after MAX_IDLE_TIME", async () => {
    const idle = await startTestEngine({ maxIdleTimeMs: 1_000, poolSizePerImage: 0, postureCheck: false });
    try {
      const r = await idle.engine.execute("idle", { kind: "command", command: "true" });
      expect(idle.engine.status().pool.leased).toBe(1);
      await eventually(() => idle.engine.status().pool.leased === 0, 10_000);
      await eventually(
        async () =>
          (await docker
            .getContainer(r.containerId!)
            .inspect()
            .catch(() => null)) === null,
        10_000,
      );
    } finally {
      await idle.engine.stop();
    }
  });

  it("stop() removes every container of the instance", async () => {
    const other = await startTestEngine({ poolSizePerImage: 1, postureCheck: false });
    await other.engine.execute("s", { kind: "command", command: "true" });
    const id = other.engine.status().instanceId;
    expect((await ourContainers(id)).length).toBeGreaterThan(0);
    await other.engine.stop();
    expect(await ourContainers(id)).toHaveLength(0);
    expect(other.engine.status().state).toBe("stopped");
  });
});

describe("Docker unreachable, then back", () => {
  let proxy: Server | null = null;
  const socketPath = join(tmpdir(), `pantheon-docker-proxy-${process.pid}.sock`);
  const sockets = new Set<Socket>();

  function openProxy(): Promise<void> {
    // allowHalfOpen: exec stdin EOF is a half-close that must reach dockerd while output flows back.
    proxy = createServer({ allowHalfOpen: true }, (client) => {
      const upstream = createConnection({ path: "/var/run/docker.sock", allowHalfOpen: true });
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on("error", drop);
      upstream.on("error", drop).on("close", drop);
    });
    return new Promise((resolve) => proxy!.listen(socketPath, resolve));
  }

  afterAll(() => {
    for (const s of sockets) s.destroy();
    proxy?.close();
  });

  it("stays up with a clear error while Docker is away and fills the pool by itself when it returns", async () => {
    const t = await startTestEngine({ poolSizePerImage: 1, postureCheck: false }, new Dockerode({ socketPath }));
    try {
      expect(t.engine.status().state).toBe("waiting-for-docker");
      const r = await t.engine.execute("p", { kind: "command", command: "true" });
      expect(r).toMatchObject({ status: "error", errorCode: "DOCKER_UNAVAILABLE" });
      expect(r.errorOutput).toMatch(/Docker is unreachable/);
      await openProxy();
      await eventually(() => t.engine.status().state === "ready" && t.engine.status().pool.warm.node === 1, 30_000);
      const back = await t.engine.execute("p", { kind: "command", command: "echo back" });
      expect(back.output, JSON.stringify(back)).toBe("back\n");
    } finally {
      await t.engine.stop();
    }
  });
});
