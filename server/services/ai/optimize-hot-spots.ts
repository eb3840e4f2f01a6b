import { AppError } from "@/server/errors/app-error";

/** One function's share of a profiled run, as both profilers report it. */
export interface HotSpot {
  function: string;
  /** Relative to the workspace when the function is the project's own code; otherwise as the runtime names it. */
  file: string;
  /** 1-based; null where the runtime has no line (built-ins). */
  line: number | null;
  /** True for the project's own files (what an optimisation can change). */
  inProject: boolean;
  /** Time spent in the function itself, per run on average, and as a share (0..1) of the profiled time. */
  selfMs: number;
  selfShare: number;
  /** Time with everything it called, per run, and its share. */
  totalMs: number;
  totalShare: number;
  /** Python: calls (cProfile counts them). Node: null (V8 samples, it does not count calls). */
  calls: number | null;
  /** Node: profiler samples in which the function was running. Python: null. */
  hits: number | null;
}

/** A profile's wire form was not what the profiler writes: say so instead of reporting nonsense. */
export function badProfile(kind: string, why: string): AppError {
  return new AppError("BAD_REQUEST", `the ${kind} profile could not be read (${why}); the program may have replaced or corrupted it`);
}

/** Where the sandbox's workspace and the compare run's copy live, so paths come back project-relative. */
export function projectPath(file: string, roots: readonly string[]): { file: string; inProject: boolean } {
  const path = file.startsWith("file://") ? decodeURIComponent(file.slice("file://".length)) : file;
  for (const root of roots) {
    if (path.startsWith(root + "/") && !path.includes("/node_modules/")) return { file: path.slice(root.length + 1), inProject: true };
  }
  return { file: path, inProject: false };
}

/** Largest self time first; ties by total time; at most `limit`. */
export function topHotSpots(spots: HotSpot[], limit: number): HotSpot[] {
  return [...spots].sort((a, b) => b.selfMs - a.selfMs || b.totalMs - a.totalMs).slice(0, limit);
}

export const round3 = (n: number) => Math.round(n * 1000) / 1000;
