import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";

/** One warning per window at most, with the refusals counted since the last one. */
const LOG_WINDOW_MS = 5_000;

export interface LoadShedderOptions {
  /** Requests the server works on at once; past it, each new one is refused at the door. */
  maxInFlight: number;
  retryAfterSeconds: number;
  log: Logger;
}

/**
 * Refuses a request with 503 and Retry-After before any route runs when `maxInFlight` requests
 * are already being worked on. Under a burst (10,000 requests at once) a request answered late is
 * worse than one refused early: every queued request slows the others, the accept queue fills,
 * and clients' connect and header timeouts expire with no answer at all. A refusal here costs
 * well under a millisecond, so the accept queue drains and every client gets a status.
 * Event streams (SSE: tRPC subscriptions, output streams) are long by design and are not
 * counted; WebSocket upgrades never pass through here.
 */
export function createLoadShedder(options: LoadShedderOptions) {
  let inFlight = 0;
  let refusedSinceLog = 0;
  let loggedAt = 0;
  const noteRefusal = () => {
    refusedSinceLog++;
    const now = Date.now();
    if (now - loggedAt < LOG_WINDOW_MS) return;
    options.log.warn({ event: "http.load_shed", refused: refusedSinceLog, inFlight }, `${refusedSinceLog} request(s) refused: ${inFlight} in progress`);
    refusedSinceLog = 0;
    loggedAt = now;
  };
  return {
    get inFlight(): number {
      return inFlight;
    },
    /** true when the request may go on; otherwise the refusal has been written. */
    admit(req: IncomingMessage, res: ServerResponse): boolean {
      if (isEventStream(req)) return true;
      if (inFlight >= options.maxInFlight) {
        refuse(req, res, inFlight, options.retryAfterSeconds);
        noteRefusal();
        return false;
      }
      inFlight++;
      let counted = true;
      const release = () => {
        if (!counted) return;
        counted = false;
        inFlight--;
      };
      // "finish" when the answer is written, "close" when the client went first: one of them comes.
      res.once("finish", release);
      res.once("close", release);
      return true;
    },
  };
}

function isEventStream(req: IncomingMessage): boolean {
  return (req.headers.accept ?? "").includes("text/event-stream");
}

function refuse(req: IncomingMessage, res: ServerResponse, inFlight: number, retryAfterSeconds: number): void {
  const body = JSON.stringify({
    error: { code: "UNAVAILABLE", message: `the server is busy (${inFlight} requests in progress); retry after ${retryAfterSeconds} s` },
  });
  res.writeHead(503, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "retry-after": String(retryAfterSeconds),
  });
  res.end(body);
  // Any body the client is still sending is not ours to read.
  req.resume();
}
