import type { Logger } from "pino";
import { listeningPortsInProcNet, OutputPortScanner } from "@/lib/listening-ports";
import type { ImageKind } from "@/server/sandbox/config";
import { EGRESS_PORT } from "@/server/sandbox/egress";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { liveProcessesOf } from "@/server/services/processes/live-processes";

/** A silent server (no address printed) is looked for this long after the run starts... */
const FIRST_SCAN_MS = 4_000;
/** ...and again at this interval while the run lasts. */
const SCAN_EVERY_MS = 10_000;
/** After output names a port: long enough for the socket to be open. */
const SCAN_AFTER_NAMED_MS = 750;
/** One run costs at most this many scans (each a `cat` in its container). */
const MAX_SCANS = 4;
const PROC_NET_MAX_BYTES = 256 * 1024;

export interface PortWatch {
  /** Feeds the run's stdout and stderr as they arrive. */
  output(data: string): void;
  /**
   * Stops scanning; the ports the run served: those the socket table showed, plus those its output
   * named since the last scan when the run was killed still running (timeout, cancel). A program
   * that ended by itself keeps only confirmed ports (a crash can print the port it failed to bind).
   */
  finish(killedRunning: boolean): number[];
}

/**
 * Watches a running execution for ports it serves: the addresses its output names, confirmed by the
 * container's socket table (/proc/net/tcp{,6}, read with a short `cat` beside the run), which also
 * catches servers that print nothing. Ports held by the project's background processes and the
 * egress tunnel are not the run's. Why: a server started with Run ends at the run's time limit
 * with exit 137; knowing its port lets the answer point to a background process with a preview.
 * The scan only uses the engine's public spawn, and only while the run holds the container.
 */
export function watchListeningPorts(engine: SandboxEngine, projectId: number, image: ImageKind, log: Logger): PortWatch {
  const scanner = new OutputPortScanner();
  const listening = new Set<number>();
  let namedSinceScan = new Set<number>();
  let scans = 0;
  let done = false;
  let pending: NodeJS.Timeout | null = null;

  const notTheRuns = () => new Set<number>([EGRESS_PORT, ...liveProcessesOf(projectId).flatMap((p) => (p.port === null ? [] : [p.port]))]);

  const scan = async () => {
    if (done || scans >= MAX_SCANS) return;
    scans++;
    const named = namedSinceScan;
    namedSinceScan = new Set();
    try {
      const proc = await engine.spawn(String(projectId), { image, argv: ["cat", "/proc/net/tcp", "/proc/net/tcp6"] });
      proc.stdin.end();
      proc.stderr.resume();
      let text = "";
      for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
        if (text.length < PROC_NET_MAX_BYTES) text += chunk.toString("latin1");
      }
      await proc.exited;
      const excluded = notTheRuns();
      for (const port of listeningPortsInProcNet(text)) if (!excluded.has(port)) listening.add(port);
    } catch (err) {
      for (const port of named) namedSinceScan.add(port);
      log.debug({ projectId, err: err instanceof Error ? err.message : String(err) }, "reading the container's listening ports failed");
    }
  };

  const schedule = (ms: number) => {
    if (done || pending || scans >= MAX_SCANS) return;
    pending = setTimeout(() => {
      pending = null;
      void scan().then(() => schedule(SCAN_EVERY_MS));
    }, ms);
    pending.unref();
  };
  schedule(FIRST_SCAN_MS);

  return {
    output(data) {
      if (done) return;
      const fresh = scanner.feed(data);
      for (const port of fresh) namedSinceScan.add(port);
      if (fresh.length && pending) {
        clearTimeout(pending);
        pending = null;
        schedule(SCAN_AFTER_NAMED_MS);
      }
    },
    finish(killedRunning) {
      done = true;
      if (pending) clearTimeout(pending);
      const excluded = notTheRuns();
      const ports = new Set(listening);
      if (killedRunning) for (const port of namedSinceScan) if (!excluded.has(port)) ports.add(port);
      return [...ports].sort((a, b) => a - b);
    },
  };
}
