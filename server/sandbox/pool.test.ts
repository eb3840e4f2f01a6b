import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { AttachedExec, ContainerEvent, ContainerSummary, CreateContainerRequest, EventSubscription, SandboxDriver } from "./driver";
import { isSandboxError, SandboxError } from "./errors";
import { ContainerPool, idleReason } from "./pool";
import { reapOrphanContainers } from "./reaper";

/** In-memory driver: unit tests of the pool's logic only (integration tests use real Docker). */
class FakeDriver implements SandboxDriver {
  readonly kind = "fake";
  containers = new Map<string, { labels: Record<string, string>; running: boolean; name: string }>();
  down = false;
  createDelayMs = 0;
  created = 0;
  private listeners = new Set<(e: ContainerEvent) => void>();
  private n = 0;

  private check() {
    if (this.down) throw new SandboxError("DOCKER_UNAVAILABLE", "fake docker down");
  }
  async ping() {
    this.check();
  }
  async hasImage() {
    return true;
  }
  attach(): Promise<AttachedExec> {
    return Promise.reject(new Error("the pool never attaches"));
  }
  async create(request: CreateContainerRequest) {
    this.check();
    if (this.createDelayMs) await new Promise((r) => setTimeout(r, this.createDelayMs));
    const id = `c${++this.n}`;
    this.created++;
    this.containers.set(id, { labels: request.labels, running: false, name: request.name ?? id });
    return id;
  }
  async start(id: string) {
    this.check();
    const c = this.containers.get(id);
    if (c) c.running = true;
  }
  async exec() {
    return { exitCode: 0 };
  }
  async usage() {
    return null;
  }
  async resetMemoryPeak() {
    return false;
  }
  async inspect(id: string) {
    this.check();
    const c = this.containers.get(id);
    return c ? { id, name: c.name, running: c.running, oomKilled: false, exitCode: null, labels: c.labels } : null;
  }
  async destroy(id: string) {
    this.check();
    this.containers.delete(id);
  }
  async rename(id: string, name: string) {
    const c = this.containers.get(id);
    if (c) c.name = name;
  }
  async listByLabel(labels: Record<string, string>): Promise<ContainerSummary[]> {
    return [...this.containers]
      .filter(([, c]) => Object.entries(labels).every(([k, v]) => c.labels[k] === v))
      .map(([id, c]) => ({ id, name: c.name, labels: c.labels, state: c.running ? "running" : "exited", createdAt: 0 }));
  }
  async streamStats(): Promise<EventSubscription> {
    return { closed: new Promise<void>(() => {}), close: () => {} };
  }
  async subscribeEvents(_labels: Record<string, string>, onEvent: (e: ContainerEvent) => void): Promise<EventSubscription> {
    this.check();
    this.listeners.add(onEvent);
    let close!: () => void;
    const closed = new Promise<void>((r) => (close = r));
    return {
      closed,
      close: () => {
        this.listeners.delete(onEvent);
        close();
      },
    };
  }
  kill(id: string, type: "die" | "oom" = "die") {
    const c = this.containers.get(id);
    if (c && type === "die") c.running = false;
    for (const l of this.listeners) l({ type, containerId: id, labels: c?.labels ?? {}, exitCode: 137 });
  }
}

const log = pino({ level: "silent" });
const pools: ContainerPool[] = [];

function makePool(driver: FakeDriver, overrides: Partial<ConstructorParameters<typeof ContainerPool>[0]> = {}) {
  const pool = new ContainerPool({
    driver,
    log,
    instanceId: "inst-a",
    scope: "default",
    images: { node: "n", python: "p" },
    warmImages: ["node"],
    poolSizePerImage: 2,
    maxConcurrent: 3,
    maxIdleTimeMs: 60_000,
    retryInitialMs: 10,
    retryMaxMs: 40,
    ...overrides,
  });
  pools.push(pool);
  return pool;
}

async function until(predicate: () => boolean, ms = 2000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.stop()));
});

describe("ContainerPool", () => {
  it("fills the warm pool to its size and stops there", async () => {
    const driver = new FakeDriver();
    const pool = makePool(driver);
    pool.start();
    await until(() => pool.status().warm.node === 2);
    await new Promise((r) => setTimeout(r, 30));
    expect(driver.created).toBe(2);
    for (const c of driver.containers.values())
      expect(c.labels).toMatchObject({ "pantheon.sandbox": "1", "pantheon.instance": "inst-a", "pantheon.image": "node" });
  });

  it("hands out a warm container, keeps it for the same project and refills in the background", async () => {
    const driver = new FakeDriver();
    const pool = makePool(driver);
    pool.start();
    await until(() => pool.status().warm.node === 2);
    const first = await pool.acquire("p1", "node");
    expect(first.fresh).toBe(true);
    const again = await pool.acquire("p1", "node");
    expect(again).toEqual({ lease: first.lease, fresh: false });
    await until(() => pool.status().warm.node === 2);
    expect(driver.containers.get(first.lease.container.id)?.name).toMatch(/-p-p1-/);
  });

  it("never hands a released project's container to another project", async () => {
    const driver = new FakeDriver();
    const pool = makePool(driver);
    pool.start();
    await until(() => pool.status().warm.node === 2);
    const seen = new Map<string, string>();
    for (let round = 0; round < 5; round++) {
      for (const project of ["a", "b"]) {
        const { lease } = await pool.acquire(project, "node");
        const owner = seen.get(lease.container.id);
        expect(owner === undefined || owner === project).toBe(true);
        seen.set(lease.container.id, project);
        await pool.release(project, "test");
        expect(driver.containers.has(lease.container.id)).toBe(false);
      }
    }
  });

  it("refuses beyond maxConcurrent with a typed CAPACITY error", async () => {
    const driver = new FakeDriver();
    const pool = makePool(driver, { maxConcurrent: 2 });
    pool.start();
    await pool.acquire("p1", "node");
    await pool.acquire("p2", "node");
    const err = await pool.acquire("p3", "node").catch((e: unknown) => e);
    expect(isSandboxError(err, "CAPACITY")).toBe(true);
    await pool.release("p1", "test");
    await expect(pool.acquire("p3", "node")).resolves.toMatchObject({ fresh: true });
  });

  it("creates a container on demand when the pool is empty, labelled with the project", async () => {
    const driver = new FakeDriver();
    const pool = makePool(driver, { warmImages: [] });
    pool.start();
    const { lease } = await pool.acquire("p9", "python");
    expect(driver.containers.get(lease.container.id)?.labels["pantheon.project"]).toBe("p9");
  });

  it("honours an AbortSignal while waiting for a cold container, and keeps that container warm", async () => {
    const driver = new FakeDriver();
    driver.createDelayMs = 100;
    const pool = makePool(driver, { warmImages: [] });
    pool.start();
    const controller = new AbortController();
    const pending = pool.acquire("p1", "node", { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    const err = await pending.catch((e: unknown) => e);
    expect(isSandboxError(err, "CANCELLED")).toBe(true);
    expect(pool.lease("p1")).toBeUndefined();
    await until(() => pool.status().warm.node === 1);
  });

  it("marks a leased container dead on a die event and replaces it on the next acquire", async () => {
    const driver = new FakeDriver();
    const pool = makePool(driver);
    pool.start();
    await until(() => pool.status().warm.node === 2);
    const { lease } = await pool.acquire("p1", "node");
    driver.kill(lease.container.id, "oom");
    driver.kill(lease.container.id, "die");
    expect(pool.ends.oomsOf(lease.container.id)).toBe(1);
    expect(lease.dead).toBe("oom");
    const next = await pool.acquire("p1", "node");
    expect(next.fresh).toBe(true);
    expect(next.lease.container.id).not.toBe(lease.container.id);
    expect(driver.containers.has(lease.container.id)).toBe(false);
  });

  it("keeps a released container's oom and die events by id: the OOM verdict may ask after the lease is gone", async () => {
    const driver = new FakeDriver();
    const pool = makePool(driver);
    pool.start();
    const { lease } = await pool.acquire("p1", "node");
    const id = lease.container.id;
    // The agent's stream ended first: the pool released (and removed) the container, then Docker spoke.
    await pool.release("p1", "agent died", lease);
    expect(driver.containers.has(id)).toBe(false);
    const ended = pool.ends.whenEnded(id, 5_000);
    driver.kill(id, "oom");
    driver.kill(id, "die");
    expect(await ended).toBe(true);
    expect(pool.ends.oomsOf(id)).toBe(1);
  });

  it("drops warm containers that die and refills", async () => {
    const driver = new FakeDriver();
    const pool = makePool(driver, { poolSizePerImage: 1 });
    pool.start();
    await until(() => pool.status().warm.node === 1);
    const [id] = [...driver.containers.keys()];
    driver.kill(id!);
    await until(() => driver.created === 2 && pool.status().warm.node === 1);
    expect(driver.containers.has(id!)).toBe(false);
  });

  it("releases leases idle longer than maxIdleTime, but not busy ones", async () => {
    const driver = new FakeDriver();
    let now = 1_000_000;
    const pool = makePool(driver, { warmImages: [], maxIdleTimeMs: 1_000, now: () => now });
    pool.start();
    const idle = await pool.acquire("idle", "node");
    const busy = await pool.acquire("busy", "node");
    busy.lease.busy = 1;
    now += 5_000;
    await until(() => pool.lease("idle") === undefined, 3000);
    expect(driver.containers.has(idle.lease.container.id)).toBe(false);
    expect(pool.lease("busy")).toBeDefined();
  });

  it("releaseIdle(maxIdleMs) returns the projects it released and skips busy leases", async () => {
    const driver = new FakeDriver();
    let now = 1_000_000;
    const pool = makePool(driver, { warmImages: [], maxIdleTimeMs: 3600_000, now: () => now });
    pool.start();
    await pool.acquire("idle", "node");
    const busy = await pool.acquire("busy", "node");
    busy.lease.busy = 1;
    await pool.acquire("recent", "node");
    now += 5_000;
    pool.lease("recent")!.lastUsedAt = now;
    expect(await pool.releaseIdle(1_000)).toEqual(["idle"]);
    expect(
      pool
        .leaseList()
        .map((l) => l.projectId)
        .sort(),
    ).toEqual(["busy", "recent"]);
    expect(await pool.releaseIdle()).toEqual([]);
  });

  it("output keeps a lease past maxIdleTime but never past maxUnattendedMs; binds and ends are announced with the reason", async () => {
    const driver = new FakeDriver();
    let now = 1_000_000;
    const events: string[] = [];
    const leaseEvents = {
      bound: (projectId: string) => events.push(`bound ${projectId}`),
      ended: (projectId: string, _containerId: string, reason: string) => events.push(`ended ${projectId}: ${reason}`),
    };
    const pool = makePool(driver, { warmImages: [], maxIdleTimeMs: 1_000, maxUnattendedMs: 10_000, leaseEvents, now: () => now });
    await pool.acquire("printer", "node");
    await pool.acquire("quiet", "node");
    const printer = pool.lease("printer")!;
    now += 5_000;
    printer.lastOutputAt = now;
    expect(await pool.releaseIdle()).toEqual(["quiet"]);
    now += 5_001;
    printer.lastOutputAt = now;
    expect(await pool.releaseIdle()).toEqual(["printer"]);
    expect(events).toEqual(["bound printer", "bound quiet", "ended quiet: idle", "ended printer: unattended: no user action for 10 s"]);
    await pool.stop();
  });

  it("idleReason: idle without action or output, unattended with output only, kept otherwise", () => {
    expect(idleReason({ lastUsedAt: 0, lastOutputAt: 0 }, 10, -Infinity)).toBe("idle");
    expect(idleReason({ lastUsedAt: 0, lastOutputAt: 20 }, 10, -Infinity)).toBeNull();
    expect(idleReason({ lastUsedAt: 0, lastOutputAt: 20 }, 10, 5)).toBe("unattended");
    expect(idleReason({ lastUsedAt: 6, lastOutputAt: 20 }, 10, 5)).toBeNull();
  });

  it("releaseIdle reclaims a busy lease stuck past its busyUntil, kills its container and wakes its waiters", async () => {
    const driver = new FakeDriver();
    let now = 1_000_000;
    const pool = makePool(driver, { warmImages: [], maxIdleTimeMs: 3600_000, now: () => now });
    pool.start();
    const stuck = (await pool.acquire("stuck", "node")).lease;
    stuck.busy = 1;
    stuck.busyUntil = now + 30_000;
    const working = (await pool.acquire("working", "node")).lease;
    working.busy = 1;
    working.busyUntil = now + 120_000;
    now += 60_000;
    expect(await pool.releaseIdle()).toEqual(["stuck"]);
    expect(stuck.dead).toBe("lost");
    expect(stuck.died.signal.aborted).toBe(true);
    expect(isSandboxError(stuck.died.signal.reason, "CONTAINER_LOST")).toBe(true);
    expect(driver.containers.has(stuck.container.id)).toBe(false);
    expect(pool.leaseList().map((l) => l.projectId)).toEqual(["working"]);
  });

  it("abandon() is idempotent and never touches a newer lease of the same project", async () => {
    const driver = new FakeDriver();
    const pool = makePool(driver, { warmImages: [] });
    pool.start();
    const old = (await pool.acquire("p", "node")).lease;
    await pool.abandon(old, "engine command 'kill' did not finish within 10 s (container treated as lost)");
    await pool.abandon(old, "again");
    expect((old.died.signal.reason as Error).message).toContain("'kill' did not finish");
    const fresh = (await pool.acquire("p", "node")).lease;
    await pool.abandon(old, "late");
    await pool.release("p", "late release of the old lease", old);
    expect(pool.lease("p")).toBe(fresh);
    expect(fresh.died.signal.aborted).toBe(false);
  });

  it("resize() destroys surplus warm containers at once and refills up to a larger target", async () => {
    const driver = new FakeDriver();
    const pool = makePool(driver, { poolSizePerImage: 3 });
    pool.start();
    await until(() => pool.status().warm.node === 3);
    pool.resize(1);
    expect(pool.status()).toMatchObject({ warm: { node: 1 }, warmTarget: 1 });
    await until(() => driver.containers.size === 1);
    pool.resize(2);
    await until(() => pool.status().warm.node === 2);
    await new Promise((r) => setTimeout(r, 30));
    expect(driver.containers.size).toBe(2);
  });

  it("remembers when projects were bound, per image, and which containers it holds", async () => {
    const driver = new FakeDriver();
    let now = 1_000_000;
    const pool = makePool(driver, { warmImages: [], now: () => now });
    pool.start();
    const a = await pool.acquire("a", "node");
    now += 10_000;
    const b = await pool.acquire("b", "python");
    expect(pool.bindsSince(0)).toEqual([
      { at: 1_000_000, image: "node" },
      { at: 1_010_000, image: "python" },
    ]);
    expect(pool.bindsSince(1_005_000)).toEqual([{ at: 1_010_000, image: "python" }]);
    expect(pool.knownContainerIds()).toEqual(new Set([a.lease.container.id, b.lease.container.id]));
    await pool.release("a", "test");
    expect(pool.knownContainerIds()).toEqual(new Set([b.lease.container.id]));
  });

  it("survives Docker being down: acquire fails DOCKER_UNAVAILABLE, and the pool refills when it returns", async () => {
    const driver = new FakeDriver();
    driver.down = true;
    const pool = makePool(driver, { warmImages: ["node"] });
    pool.start();
    const err = await pool.acquire("p1", "node").catch((e: unknown) => e);
    expect(isSandboxError(err, "DOCKER_UNAVAILABLE")).toBe(true);
    await until(() => !pool.status().dockerAvailable);
    driver.down = false;
    await until(() => pool.status().warm.node === 2 && pool.status().dockerAvailable);
  });

  it("stop() destroys warm and leased containers", async () => {
    const driver = new FakeDriver();
    const pool = makePool(driver);
    pool.start();
    await until(() => pool.status().warm.node === 2);
    await pool.acquire("p1", "node");
    await pool.stop();
    expect(driver.containers.size).toBe(0);
    const err = await pool.acquire("p2", "node").catch((e: unknown) => e);
    expect(isSandboxError(err, "NOT_READY")).toBe(true);
  });
});

describe("reapOrphanContainers", () => {
  it("removes containers of other instances (a previous run) and keeps ours", async () => {
    const driver = new FakeDriver();
    const mk = (labels: Record<string, string>) => driver.create({ image: "n", labels });
    const ours = await mk({ "pantheon.sandbox": "1", "pantheon.instance": "me" });
    const old = await mk({ "pantheon.sandbox": "1", "pantheon.instance": "previous" });
    const unlabelled = await mk({ "pantheon.sandbox": "1" });
    const foreign = await mk({ other: "x" });
    expect(await reapOrphanContainers(driver, { instanceId: "me", reapOtherInstances: true }, log)).toBe(2);
    expect([...driver.containers.keys()].sort()).toEqual([ours, foreign].sort());
    expect(driver.containers.has(old) || driver.containers.has(unlabelled)).toBe(false);
  });

  it("never reaps another scope's containers (an e2e server or test engines on the same host)", async () => {
    const driver = new FakeDriver();
    const mk = (labels: Record<string, string>) => driver.create({ image: "n", labels });
    const otherScope = await mk({ "pantheon.sandbox": "1", "pantheon.scope": "e2e", "pantheon.instance": "someone" });
    const sameScope = await mk({ "pantheon.sandbox": "1", "pantheon.scope": "default", "pantheon.instance": "previous" });
    expect(await reapOrphanContainers(driver, { instanceId: "me", reapOtherInstances: true, scope: "default" }, log)).toBe(1);
    expect(driver.containers.has(otherScope)).toBe(true);
    expect(driver.containers.has(sameScope)).toBe(false);
  });
});
