// Checks of `npm run replicas` for feeds, shells and their cost (issue 13 points 1 and 5): work
// held by instance A, followed and driven through instance B, over the real APIs a browser and the
// chat service use (tRPC subscriptions over SSE with lib/sandbox-client.ts; the shell WebSocket).
import { encode } from "next-auth/jwt";
import type pg from "pg";
import WebSocket from "ws";
import { createSandboxClient } from "@/lib/sandbox-client";
import type { RestClient } from "./live-server";
import { sleep } from "./live-server";

export type Check = (name: string, ok: boolean, detail: string) => void;

type Client = ReturnType<typeof createSandboxClient>;
/** A tracked subscription event arrives as {id, data}. */
const unwrap = <T>(d: unknown): T => (d && typeof d === "object" && "data" in d && "id" in d ? (d as { data: T }).data : (d as T));

interface Arrival {
  seq: number;
  type: string;
  data?: string;
  reason?: string | null;
  at: number;
}

/** Follows an execution's output through `client` from now; resolves with every event and when it ended. */
export function followOutput(
  client: Client,
  executionId: number,
): { events: Arrival[]; done: Promise<{ ended: boolean; error: string | null }>; stop: () => void } {
  const events: Arrival[] = [];
  let stop = () => {};
  const done = new Promise<{ ended: boolean; error: string | null }>((resolve) => {
    const sub = client.executions.output.subscribe(
      { executionId },
      {
        onData: (d) => {
          const e = unwrap<{ seq: number; type: string; data?: string; reason?: string | null }>(d);
          events.push({ ...e, at: performance.now() });
        },
        onComplete: () => resolve({ ended: true, error: null }),
        onError: (err) => resolve({ ended: false, error: err.message }),
      },
    );
    stop = () => {
      sub.unsubscribe();
      resolve({ ended: false, error: "stopped" });
    };
  });
  return { events, done, stop };
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (v: number) => `${v.toFixed(1)} ms`;

export interface FeedsContext {
  check: Check;
  figures: string[];
  db: pg.Client;
  viaA: RestClient;
  viaB: RestClient;
  key: string;
  projectId: number;
  /** A session cookie is signed with this (the shell accepts no API key). */
  authSecret: string;
  originB: string;
  containersOf: (instance: string) => string[];
  idA: string;
  idB: string;
}

async function trpcRun(api: RestClient, projectId: number, command: string): Promise<number> {
  const res = await fetch(`${api.base}/api/trpc/executions.run`, {
    method: "POST",
    headers: { authorization: api.authorization, "content-type": "application/json" },
    body: JSON.stringify({ json: { projectId, kind: "command", command, timeoutSeconds: 120 } }),
  });
  const body = (await res.json()) as { result?: { data?: { json?: { executionId: number } } } };
  const id = body.result?.data?.json?.executionId;
  if (!id) throw new Error(`executions.run: ${res.status} ${JSON.stringify(body)}`);
  return id;
}

/** Output, file changes, process events and a shell of work on A, through B; then the bus's cost per event. */
export async function checkFeeds(ctx: FeedsContext): Promise<void> {
  const { check, viaA, viaB, projectId } = ctx;
  const clientA = createSandboxClient({ url: viaA.base, apiKey: ctx.key });
  const clientB = createSandboxClient({ url: viaB.base, apiKey: ctx.key });

  // --- output of a run on A, followed through A and through B at once: the same events, in order,
  // and each one's extra time through B (paced lines: latency; a flood: events/s).
  const paced = await trpcRun(viaA, projectId, "sleep 3; for i in $(seq 1 300); do echo line-$i; sleep 0.01; done");
  const [onA, onB] = [followOutput(clientA, paced), followOutput(clientB, paced)];
  const [endA, endB] = await Promise.all([onA.done, onB.done]);
  const text = (events: Arrival[]) => events.map((e) => e.data ?? "").join("");
  const seqs = onB.events.map((e) => e.seq);
  const inOrder = seqs.every((s, i) => s === i + 1);
  const expected = Array.from({ length: 300 }, (_, i) => `line-${i + 1}\n`).join("");
  check(
    "output of a run on A followed through B (tRPC subscription): complete, in order, ends with the run",
    endB.ended && inOrder && text(onB.events) === expected && text(onA.events) === expected && onB.events.at(-1)?.type === "exit",
    `B got ${onB.events.length} events (seqs 1..${seqs.at(-1)} ${inOrder ? "contiguous" : "NOT contiguous"}), A ${onA.events.length}; output ${text(onB.events) === expected ? "identical to the run's" : "DIFFERENT"}; ${endB.error ?? "completed"}`,
  );
  const byA = new Map(onA.events.map((e) => [e.seq, e.at]));
  const extra = onB.events.flatMap((e) => (byA.has(e.seq) ? [e.at - (byA.get(e.seq) ?? 0)] : []));
  void endA;

  const flood = await trpcRun(viaA, projectId, "sleep 3; i=0; while [ $i -lt 20000 ]; do echo $i; i=$((i+1)); done");
  const [floodA, floodB] = [followOutput(clientA, flood), followOutput(clientB, flood)];
  await Promise.all([floodA.done, floodB.done]);
  const rate = (events: Arrival[]) => {
    const span = (events.at(-1)?.at ?? 0) - (events[0]?.at ?? 0);
    return span > 0 ? Math.round((events.length / span) * 1000) : NaN;
  };
  const floodSame = text(floodA.events) === text(floodB.events) && floodB.events.every((e, i) => e.seq === i + 1);
  check(
    "a flood of output on A followed through B: the same bytes and events as through A",
    floodSame && floodB.events.length === floodA.events.length,
    `${floodB.events.length} events, ${text(floodB.events).length} characters through B`,
  );
  ctx.figures.push(
    `extra latency of an output event through B vs on A (paced run, ${extra.length} events): p50 ${ms(pct(extra, 50))}, p95 ${ms(pct(extra, 95))}, max ${ms(Math.max(...extra))}`,
    `flood (20000 echo lines from a shell loop, ${floodB.events.length} events): through A ${rate(floodA.events)} events/s, through B ${rate(floodB.events)} events/s (both subscribed at once)`,
  );

  // --- a file change made through A, in B's file feed (NOTIFY).
  {
    const seen: { at: number; upserted: string[] }[] = [];
    const seenOnA: { at: number; upserted: string[] }[] = [];
    const subA = clientA.files.changes.subscribe(
      { projectId },
      {
        onData: (d) => {
          const e = unwrap<{ type: string; upserted?: string[] }>(d);
          if (e.type === "change") seenOnA.push({ at: performance.now(), upserted: e.upserted ?? [] });
        },
      },
    );
    const sub = clientB.files.changes.subscribe(
      { projectId },
      {
        onData: (d) => {
          const e = unwrap<{ type: string; upserted?: string[] }>(d);
          if (e.type === "change") seen.push({ at: performance.now(), upserted: e.upserted ?? [] });
        },
      },
    );
    await sleep(1_500);
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const sent = performance.now();
      await viaA.json("POST", `/api/sandbox/projects/${projectId}/files`, { path: `feed-${i}.txt`, content: `v${i}` });
      const answered = performance.now();
      const deadline = Date.now() + 10_000;
      let hit: { at: number } | undefined;
      while (!(hit = seen.find((s) => s.upserted.includes(`feed-${i}.txt`))) && Date.now() < deadline) await sleep(5);
      while (!seenOnA.some((s) => s.upserted.includes(`feed-${i}.txt`)) && Date.now() < deadline) await sleep(5);
      const onA = seenOnA.find((s) => s.upserted.includes(`feed-${i}.txt`));
      // The same change read from A's own feed and from B's (relayed over NOTIFY).
      if (hit && onA) latencies.push(hit.at - onA.at);
      void sent;
      void answered;
    }
    sub.unsubscribe();
    subA.unsubscribe();
    check(
      "a file written through A is seen in B's file-change feed",
      latencies.length === 20,
      `${latencies.length}/20 writes seen through B; B's arrival minus A's: p50 ${ms(pct(latencies, 50))}, p95 ${ms(pct(latencies, 95))}`,
    );
    ctx.figures.push(
      `extra latency of a file change in B's feed vs A's feed (NOTIFY relay, 20 writes through A): p50 ${ms(pct(latencies, 50))}, p95 ${ms(pct(latencies, 95))}`,
    );
  }

  // --- a background process on A: its events through B; it also tells the shell where the container is.
  const proc = (await viaA.json("POST", `/api/sandbox/projects/${projectId}/processes`, {
    command: "for i in 1 2 3; do echo proc-$i; sleep 1; done; sleep 300",
  })) as { id: number };
  {
    const got: string[] = [];
    const sub = clientB.processes.output.subscribe({ processId: proc.id }, { onData: (d) => void got.push(unwrap<{ data?: string }>(d).data ?? "") });
    const deadline = Date.now() + 30_000;
    while (!got.join("").includes("proc-3") && Date.now() < deadline) await sleep(100);
    sub.unsubscribe();
    check("process events of a process on A through B", /proc-1\s+proc-2\s+proc-3/.test(got.join("")), `B got ${JSON.stringify(got.join("").slice(0, 80))}`);
  }

  // --- a shell through B into the project whose container is on A.
  {
    const row = await ctx.db.query<{ user_id: number; session_version: number }>(
      "SELECT k.user_id, u.session_version FROM api_keys k JOIN users u ON u.id = k.user_id ORDER BY k.id DESC LIMIT 1",
    );
    const { user_id: uid, session_version: sv } = row.rows[0] ?? { user_id: 0, session_version: 0 };
    const cookie = `next-auth.session-token=${await encode({ token: { uid, sv }, secret: ctx.authSecret })}`;
    const containersBBefore = ctx.containersOf(ctx.idB).length;
    const ws = new WebSocket(`${viaB.base.replace(/^http/, "ws")}/ws/shell/${projectId}?cols=100&rows=30`, { headers: { cookie, origin: ctx.originB } });
    let output = "";
    let failure: string | null = null;
    let ready = false;
    ws.on("message", (data: Buffer, binary) => {
      if (binary) output += data.toString("utf8");
      else if ((JSON.parse(data.toString("utf8")) as { type: string }).type === "ready") ready = true;
    });
    ws.on("unexpected-response", (_req, res) => (failure = `refused ${res.statusCode}`));
    ws.on("error", (err) => (failure ??= err.message));
    const opened = await new Promise<boolean>((resolve) => {
      ws.once("open", () => resolve(true));
      ws.once("close", () => resolve(false));
      setTimeout(() => resolve(false), 60_000);
    });
    // Keystrokes before "ready" have no shell to go to (the browser's terminal waits for it too).
    const readyBy = Date.now() + 60_000;
    while (opened && !ready && Date.now() < readyBy) await sleep(50);
    if (opened) ws.send(Buffer.from("echo shell-$((6*7)) && ls /proc/1 >/dev/null && cat feed-3.txt\n"), { binary: true });
    const deadline = Date.now() + 30_000;
    while (opened && !/shell-42[\s\S]*v3/.test(output) && Date.now() < deadline) await sleep(100);
    ws.close();
    const containersBAfter = ctx.containersOf(ctx.idB).length;
    check(
      "a shell through B into a project whose container is on A (type a command, read its output)",
      opened && /shell-42[\s\S]*v3/.test(output) && containersBAfter === containersBBefore,
      `${opened ? "opened" : `not opened (${failure})`}; output ${JSON.stringify(output.slice(-60))}; B's containers before ${containersBBefore}, after ${containersBAfter} (the shell ran in A's)`,
    );
  }
  await viaB.raw("DELETE", `/api/sandbox/projects/${projectId}/processes/${proc.id}`);
}
