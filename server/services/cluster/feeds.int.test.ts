import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTarget } from "@/test/support/attack-matrix";
import { sessionAuthUser } from "@/test/fixtures/accounts";
import type { AuthUser } from "@/server/auth/auth-user";
import { getAppRuntime } from "@/server/process/app-runtime";
import { executionRepository } from "@/server/repositories/execution-repository";
import { instanceAddressRepository } from "@/server/repositories/instance-address-repository";
import { serverInstanceRepository } from "@/server/repositories/server-instance-repository";
import type { ExitEvent } from "@/server/sandbox/execution-types";
import { executionEvents, type ExecutionStreamEvent } from "@/server/services/executions/execution-events";
import { projectExecutionFeed } from "@/server/services/executions/execution-feed";
import { ExecutionHub } from "@/server/services/executions/execution-hub";
import { fileChangeEvents } from "@/server/services/files/file-change-events";
import { type FileChangeEvent, FileChangeHub } from "@/server/services/files/file-change-hub";
import type { LiveProcess } from "@/server/services/processes/live-processes";
import { type ClusterSources, handleClusterRequest } from "./cluster-routes";
import { FeedRelay } from "./feed-relay";
import { HOP_HEADER } from "./instance-hop";
import { CLUSTER_PATH_PREFIX, peerRequest } from "./instance-peers";
import { followPeer } from "./peer-follow";
import { executionOutcome } from "@/test/fixtures/execution-outcomes";

// Two instances over the real PostgreSQL: "A" is a stand-in instance in this process with hubs of
// its own, served to its peers by the real cluster routes on a real HTTP listener, and relaying
// its feeds by a real FeedRelay (LISTEN/NOTIFY); "B" is this process as the server runs it (its
// process hubs, its relay, the subscriptions' own code). What a subscriber on B sees of work held
// on A is what a user of instance B sees.
const log = pino({ level: "silent" });
const tag = Math.random().toString(36).slice(2, 8);
const A = `s-a-${tag}`;
const B = `s-b-${tag}`;
const sourcesA: ClusterSources = { executions: new ExecutionHub(), files: new FileChangeHub(), processes: new Map<number, LiveProcess>() };
let serverA: Server;
/** A "killed": its listener drops every connection, as a dead process's port refuses them. */
let aDead = false;
const relays: FeedRelay[] = [];
let user: AuthUser;
let projectId: number;

async function collect<T>(events: AsyncIterable<T>, until: (seen: T[]) => boolean): Promise<T[]> {
  const seen: T[] = [];
  for await (const event of events) {
    seen.push(event);
    if (until(seen)) break;
  }
  return seen;
}

type Unsequenced = { type: "stdout" | "stderr"; data: string } | Omit<ExitEvent, "seq">;

async function openOnA(): Promise<{ id: number; push: (e: Unsequenced) => void }> {
  const row = await executionRepository.start({
    projectId,
    userId: user.id,
    executedCode: "x",
    language: null,
    executionType: "run",
    executedByAi: null,
    instanceId: A,
  });
  sourcesA.executions.open(row.id, projectId, new AbortController());
  let seq = 0;
  return { id: row.id, push: (e) => sourcesA.executions.push(row.id, { ...e, seq: ++seq }) };
}

beforeAll(async () => {
  serverA = createServer((req, res) => {
    if (aDead) return void req.socket.destroy();
    if (!handleClusterRequest(req, res, log, sourcesA)) res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => serverA.listen(0, "127.0.0.1", resolve));
  const now = new Date();
  await serverInstanceRepository.beat({ id: A, host: "replica-a", pid: 1 }, now);
  await serverInstanceRepository.beat({ id: B, host: "replica-b", pid: process.pid }, now);
  await instanceAddressRepository.record(A, `http://127.0.0.1:${(serverA.address() as AddressInfo).port}`);
  getAppRuntime().serverInstance = { id: B, host: "replica-b", pid: process.pid };
  const relayA = new FeedRelay({ databaseUrl: process.env.DATABASE_URL ?? "", self: A, log, hubs: { files: sourcesA.files, executions: sourcesA.executions } });
  const relayB = new FeedRelay({ databaseUrl: process.env.DATABASE_URL ?? "", self: B, log });
  relays.push(relayA, relayB);
  await Promise.all(relays.map((r) => r.start()));
  const target = await makeTarget();
  projectId = target.projectId;
  user = await sessionAuthUser(target.ownerId);
});

afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  getAppRuntime().serverInstance = undefined;
  serverA.closeAllConnections();
  await new Promise((resolve) => serverA.close(resolve));
});

describe("feeds through any instance", () => {
  it("B follows the output of a run on A: complete, in order, no repeat at the backlog/live seam, chunks far above 8000 bytes, ending with the exit", async () => {
    const run = await openOnA();
    // A backlog on A before B subscribes, then live events while B follows.
    const big = "x".repeat(100_000);
    for (let i = 0; i < 5; i++) run.push({ type: "stdout", data: `early ${i}\n` });
    const abort = new AbortController();
    const following = collect(executionEvents(user, run.id, null, abort.signal), (seen) => seen.at(-1)?.type === "exit");
    for (let i = 0; i < 200; i++) {
      run.push({ type: i % 2 ? "stderr" : "stdout", data: i === 100 ? big : `live ${i}\n` });
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    run.push({ type: "exit", exitCode: 0, status: "success", reason: null, truncated: false });
    const seen = await following;
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: 206 }, (_, i) => i + 1));
    expect(seen.slice(0, 5).map((e) => (e as { data: string }).data)).toEqual(Array.from({ length: 5 }, (_, i) => `early ${i}\n`));
    expect((seen[105] as { data: string }).data).toBe(big);
    expect(seen.at(-1)).toMatchObject({ type: "exit", status: "success" });

    // A client resuming after event 150 (reconnecting to B) gets 151.. only.
    const resumed = await collect(executionEvents(user, run.id, 150, undefined), (s) => s.at(-1)?.type === "exit");
    expect(resumed.map((e) => e.seq)).toEqual(Array.from({ length: 56 }, (_, i) => i + 151));
  });

  it("a follower on B ends when A dies mid-run: the sweeper ends the row as interrupted, the follower yields that exit", async () => {
    const run = await openOnA();
    run.push({ type: "stdout", data: "before the crash\n" });
    const seen: ExecutionStreamEvent[] = [];
    const following = (async () => {
      for await (const event of executionEvents(user, run.id, null, undefined)) seen.push(event);
    })();
    while (!seen.length) await new Promise((r) => setTimeout(r, 20));
    // A dies: its connections drop; the survivors' sweeper ends the row.
    aDead = true;
    serverA.closeAllConnections();
    await executionRepository.finish(run.id, executionOutcome({ exitCode: null, status: "error", statusReason: "interrupted" }));
    await following;
    aDead = false;
    expect(seen.map((e) => e.type)).toEqual(["stdout", "exit"]);
    expect(seen[1]).toMatchObject({ seq: 2, type: "exit", status: "error", reason: "interrupted" });
  });

  it("the owner's routes open only to a signed hop for that path; a run the owner does not hold is 'unavailable'", async () => {
    const base = `http://127.0.0.1:${(serverA.address() as AddressInfo).port}`;
    const path = `${CLUSTER_PATH_PREFIX}executions/1/events?after=0`;
    expect((await fetch(`${base}${path}`)).status).toBe(404);
    expect((await fetch(`${base}${path}`, { headers: { [HOP_HEADER]: "hop1.e30.AAAA" } })).status).toBe(404);
    const other = await peerRequest(A, "GET", `${CLUSTER_PATH_PREFIX}executions/2/events?after=0`);
    expect(other).not.toBeNull();
    // A hop signed for another path opens nothing here.
    expect((await fetch(`${base}${path}`, { headers: other?.headers })).status).toBe(404);
    const follow = followPeer(A, "executions", 999_999_999, 0, undefined);
    expect(await follow.next()).toEqual({ done: true, value: "unavailable" });
    // This instance is never its own peer.
    expect(await peerRequest(B, "GET", path)).toBeNull();
  });

  it("file changes made on A reach B's file feed in order, a change too large for NOTIFY fetched from A", async () => {
    const abort = new AbortController();
    const seen: FileChangeEvent[] = [];
    const following = (async () => {
      for await (const event of fileChangeEvents(user, projectId, null, abort.signal)) seen.push(event);
    })();
    while (!seen.length) await new Promise((r) => setTimeout(r, 20));
    const change = (paths: string[]) => ({ upserted: paths, versions: {}, deleted: [], refused: [], source: "api" as const, aiPersonality: null });
    const many = Array.from({ length: 600 }, (_, i) => `src/generated/module-${i}.ts`);
    sourcesA.files.publish(projectId, change(["a.txt"]));
    sourcesA.files.publish(projectId, change(many));
    sourcesA.files.publish(projectId, change(["b.txt"]));
    const deadline = Date.now() + 20_000;
    while (seen.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    await following;
    expect(seen[0]?.type).toBe("resync");
    expect(seen.slice(1).map((e) => (e.type === "change" ? e.upserted : null))).toEqual([["a.txt"], many, ["b.txt"]]);
  });

  it("an execution started on A is announced in B's project execution feed", async () => {
    const abort = new AbortController();
    const latest = (await executionRepository.latestForProject(projectId))?.id ?? 0;
    const feed = projectExecutionFeed(user, projectId, latest, abort.signal);
    const first = feed.next();
    await new Promise((r) => setTimeout(r, 200)); // the watcher is attached
    const run = await openOnA();
    const announced = await first;
    abort.abort();
    await feed.return(undefined);
    expect(announced.value).toMatchObject({ id: run.id });
  });
});
