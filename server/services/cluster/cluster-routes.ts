import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { ExecutionEvent } from "@/server/sandbox/execution-types";
import { type ExecutionHub, getExecutionHub } from "@/server/services/executions/execution-hub";
import { type FileChangeHub, getFileChangeHub } from "@/server/services/files/file-change-hub";
import { type LiveProcess, liveProcesses } from "@/server/services/processes/live-processes";
import type { ProcessEvent } from "@/server/services/processes/process-output";
import { followSequence, type SequenceSubscription } from "@/server/services/streams/follow-sequence";
import { HOP_HEADER, type HopClaims, verifyHop } from "./instance-hop";
import { CLUSTER_PATH_PREFIX, currentHopKey } from "./instance-peers";

// The owner's side of "feeds through any instance" (SCALE.md): a peer that serves a subscriber
// of a run held here reads the run's events from these routes, as newline-delimited JSON, after
// the last seq it has. Only signed hops get in (instance-hop.ts); anything else is a 404, the
// same as a path that does not exist, so the routes are invisible from outside.

/** A line every PING_MS while nothing else is sent: the follower tells a quiet run from a dead owner. */
export const PING_MS = 5_000;
const EVENTS = new RegExp(`^${CLUSTER_PATH_PREFIX}(executions|processes)/(\\d{1,10})/events$`);
const FILE_CHANGE = new RegExp(`^${CLUSTER_PATH_PREFIX}file-changes/(\\d{1,10})/(\\d{1,15})$`);

/** The hop's claims for this request, or null (the caller answers 404). */
export function authenticateHop(req: IncomingMessage): HopClaims | null {
  const key = currentHopKey();
  const header = req.headers[HOP_HEADER];
  return key && typeof header === "string" ? verifyHop(key, header, req.method ?? "GET", req.url ?? "/") : null;
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found\n");
}

/** What the routes serve: this process's runs (tests give a stand-in instance its own). */
export interface ClusterSources {
  executions: ExecutionHub;
  files: FileChangeHub;
  processes: Map<number, LiveProcess>;
}

const processSources = (): ClusterSources => ({ executions: getExecutionHub(), files: getFileChangeHub(), processes: liveProcesses() });

/** Serves a CLUSTER_PATH_PREFIX request; false when the path is not one (the caller goes on to Next). */
export function handleClusterRequest(req: IncomingMessage, res: ServerResponse, log: Logger, sources: ClusterSources = processSources()): boolean {
  const url = new URL(req.url ?? "/", "http://peer");
  if (!url.pathname.startsWith(CLUSTER_PATH_PREFIX)) return false;
  if (req.method !== "GET" || !authenticateHop(req)) {
    req.resume();
    notFound(res);
    return true;
  }
  const events = EVENTS.exec(url.pathname);
  if (events) {
    const id = Number(events[2]);
    const after = Number(url.searchParams.get("after") ?? "0");
    const subscribe =
      events[1] === "executions"
        ? (listener: (e: ExecutionEvent) => void) => sources.executions.subscribe(id, listener)
        : (listener: (e: ProcessEvent) => void): SequenceSubscription<ProcessEvent> | null => sources.processes.get(id)?.output.subscribe(listener) ?? null;
    void streamEvents(
      req,
      res,
      subscribe as (l: (e: { seq: number; type: string }) => void) => SequenceSubscription<{ seq: number; type: string }> | null,
      Number.isSafeInteger(after) ? after : 0,
    ).catch((err: unknown) => {
      log.warn({ err: err instanceof Error ? err.message : err, path: url.pathname }, "peer event stream failed");
      res.destroy();
    });
    return true;
  }
  const change = FILE_CHANGE.exec(url.pathname);
  if (change) {
    const found = sources.files.changeAt(Number(change[1]), Number(change[2]));
    if (!found) notFound(res);
    else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(found));
    return true;
  }
  notFound(res);
  return true;
}

/** The events after `after`, live, one JSON line each, until the exit event or the peer leaves; 404 when the run is not here. */
async function streamEvents<E extends { seq: number; type: string }>(
  req: IncomingMessage,
  res: ServerResponse,
  subscribe: (listener: (event: E) => void) => SequenceSubscription<E> | null,
  after: number,
): Promise<void> {
  const gone = new AbortController();
  res.on("close", () => gone.abort());
  req.resume();
  const live = followSequence<E>(subscribe, after, gone.signal);
  let headed = false;
  const head = () => {
    if (headed) return;
    headed = true;
    // No buffering anywhere between: each event is on its way as soon as it is written.
    res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store", "x-accel-buffering": "no" });
    res.flushHeaders();
  };
  const ping = setInterval(() => {
    head();
    res.write('{"type":"ping"}\n');
  }, PING_MS);
  try {
    let step = await live.next();
    while (!step.done) {
      head();
      if (!res.write(`${JSON.stringify(step.value)}\n`)) await new Promise((resolve) => (res.once("drain", resolve), res.once("close", resolve)));
      step = await live.next();
    }
    if (!step.value) return notFound(res);
    head();
    res.end();
  } finally {
    clearInterval(ping);
    await live.return(false);
  }
}
