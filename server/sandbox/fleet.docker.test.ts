import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, MiB, startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";
import { LABEL_IMAGE_KIND, LABEL_INSTANCE, LABEL_SANDBOX, LABEL_SCOPE, type ContainerStatsSample } from "./driver";

const docker = new Dockerode();
const gone = (id: string) =>
  docker
    .getContainer(id)
    .inspect()
    .then(
      () => false,
      (e: { statusCode?: number }) => e.statusCode === 404,
    );

describe(`engine.fleet under ${testRuntime()}`, () => {
  let t: TestEngine;

  beforeAll(async () => {
    t = await startTestEngine({ poolSizePerImage: 1, maxConcurrent: 4, postureCheck: false, maxIdleTimeMs: 3600_000 });
  });

  afterAll(async () => {
    await t?.engine.stop();
  });

  it("streams stats of a busy container: CPU time grows, memory and pids are read", async () => {
    const warm = await t.engine.execute("stats", { kind: "command", command: "true" });
    const samples: ContainerStatsSample[] = [];
    const sub = await t.engine.fleet.streamStats(warm.containerId!, (s) => samples.push(s));
    const burn = t.engine.execute("stats", { kind: "command", command: "timeout 4 sh -c 'while :; do :; done'; true" });
    await eventually(() => samples.length >= 4, 20_000);
    sub.close();
    await sub.closed;
    expect((await burn).status).toBe("success");
    const first = samples[0]!;
    const last = samples.at(-1)!;
    expect(last.readAt).toBeGreaterThan(first.readAt);
    // A spinning shell: at least a quarter of a core over the sampled span, whatever the machine's load.
    const cpuShare = ((last.cpuTotalNs ?? 0) - (first.cpuTotalNs ?? 0)) / ((last.readAt - first.readAt) * 1e6);
    expect(cpuShare).toBeGreaterThan(0.25);
    expect(last.memoryBytes).toBeGreaterThan(0);
    expect(last.pids).toBeGreaterThanOrEqual(1);
    expect(last.netRxBytes).toBe(0); // no network
  });

  it("measures the workspace with df, including ignored folders the manifest does not list", async () => {
    const r = await t.engine.execute("disk", { kind: "command", command: "mkdir -p node_modules && head -c 3000000 /dev/urandom > node_modules/big.bin" });
    expect(r.status).toBe("success");
    const bytes = await t.engine.fleet.workspaceBytes(r.containerId!);
    expect(bytes).toBeGreaterThanOrEqual(2.8 * MiB);
    expect(bytes).toBeLessThan(20 * MiB);
    expect(await t.engine.fleet.workspaceBytes("0".repeat(64))).toBeNull();
  });

  it("lists active sandboxes and releases only idle ones, never one with an execution in progress", async () => {
    const idle = await t.engine.execute("idle", { kind: "command", command: "true" });
    const running = t.engine.execute("busy", { kind: "command", command: "sleep 4; echo done" });
    await eventually(() => t.engine.fleet.activeSandboxes().some((s) => s.projectId === "busy" && s.busy === 1), 20_000);
    await new Promise((r) => setTimeout(r, 1_200));
    const released = await t.engine.fleet.releaseIdle(1_000);
    expect(released).toContain("idle");
    expect(released).not.toContain("busy");
    expect(await gone(idle.containerId!)).toBe(true);
    const busy = await running;
    expect(busy).toMatchObject({ status: "success", output: "done\n" });
    expect(await gone(busy.containerId!)).toBe(false);
    expect(t.engine.fleet.activeSandboxes().map((s) => s.projectId)).toContain("busy");
  });

  it("reaps a pool container of this instance that the pool lost track of, and nothing it holds", async () => {
    const held = await t.engine.execute("held", { kind: "command", command: "true" });
    // "held" took the warm container; its replacement exists in Docker before the pool knows its id,
    // and the sweep below skips the grace period that protects such a container. Let the refill land.
    await eventually(() => t.engine.status().pool.creating === 0 && t.engine.status().pool.warm.node === 1);
    const { instanceId, scope } = t.engine.config;
    const lost = await docker.createContainer({
      Image: "pantheon-sandbox/node:latest",
      Cmd: ["sleep", "120"],
      Labels: { [LABEL_SANDBOX]: "1", [LABEL_INSTANCE]: instanceId, [LABEL_SCOPE]: scope, [LABEL_IMAGE_KIND]: "node" },
      HostConfig: { NetworkMode: "none" },
    });
    // Within the grace period (it may be mid-creation) it stays.
    expect((await t.engine.fleet.reapOrphans()).ownUnknown).toBe(0);
    const sweep = await t.engine.fleet.reapOrphans(Date.now() + 10 * 60_000);
    expect(sweep.ownUnknown).toBe(1);
    expect(await gone(lost.id)).toBe(true);
    expect(await gone(held.containerId!)).toBe(false);
    await eventually(() => t.engine.status().pool.warm.node === 1);
  });

  it("lists other instances' containers in its scope and removes one instance's only", async () => {
    const held = await t.engine.execute("held-2", { kind: "command", command: "true" });
    const { scope } = t.engine.config;
    const tag = Math.random().toString(36).slice(2, 8);
    const make = (labels: Record<string, string>) =>
      docker.createContainer({
        Image: "pantheon-sandbox/node:latest",
        Cmd: ["sleep", "120"],
        Labels: { [LABEL_SANDBOX]: "1", ...labels },
        HostConfig: { NetworkMode: "none" },
      });
    const dead = await make({ [LABEL_INSTANCE]: `s-dead-${tag}`, [LABEL_SCOPE]: scope });
    const live = await make({ [LABEL_INSTANCE]: `s-live-${tag}`, [LABEL_SCOPE]: scope });
    const elsewhere = await make({ [LABEL_INSTANCE]: `s-dead-${tag}`, [LABEL_SCOPE]: `other-${tag}` });
    try {
      const listed = await t.engine.fleet.otherInstancesWithContainers();
      expect([...listed.keys()]).toEqual(expect.arrayContaining([`s-dead-${tag}`, `s-live-${tag}`]));
      expect(listed.has(t.engine.config.instanceId)).toBe(false);
      expect(await t.engine.fleet.removeInstanceContainers(`s-dead-${tag}`)).toBe(1);
      expect(await gone(dead.id)).toBe(true);
      // Another instance's, another scope's (same instance label) and our own stay.
      expect(await gone(live.id)).toBe(false);
      expect(await gone(elsewhere.id)).toBe(false);
      expect(await gone(held.containerId!)).toBe(false);
      expect(await t.engine.fleet.removeInstanceContainers(t.engine.config.instanceId)).toBe(0);
    } finally {
      await Promise.all([live, elsewhere].map((c) => c.remove({ force: true }).catch(() => {})));
    }
  });

  it("resizes the warm pool and records binds for demand", async () => {
    const since = Date.now() - 60_000;
    expect(t.engine.fleet.bindsSince(since).length).toBeGreaterThanOrEqual(4);
    t.engine.fleet.resizeWarmPool(2);
    await eventually(() => t.engine.status().pool.warm.node === 2);
    t.engine.fleet.resizeWarmPool(0);
    expect(t.engine.status().pool).toMatchObject({ warm: { node: 0 }, warmTarget: 0 });
  });
});
