import { z } from "zod";
import { type HotSpot, badProfile, projectPath, round3 } from "./optimize-hot-spots";

// cProfile's stats, dumped in the sandbox by PSTATS_DUMP_SCRIPT (optimize-script.ts) as JSON:
// [file, line, function, primitive calls, calls, self µs, total µs] per function.

export const PSTATS_FORMAT = "pantheon-pstats-1";

const pstatsSchema = z.object({
  format: z.literal(PSTATS_FORMAT),
  functions: z
    .array(
      z.tuple([
        z.string().max(10_000),
        z.number().int().min(0),
        z.string().max(10_000),
        z.number().int().min(0),
        z.number().int().min(0),
        z.number().min(0),
        z.number().min(0),
      ]),
    )
    .max(100_000),
});

/** The profiler's own frames (sitecustomize's hooks, Profiler.disable) are not the program's. */
function isProfilerFrame(file: string, name: string): boolean {
  return file.endsWith("/sitecustomize.py") || name.includes("_lsprof.Profiler");
}

/** Sums the dumps of every run (one per Python process) into per-function totals. */
export class PstatsAggregate {
  private readonly byKey = new Map<string, { spot: HotSpot; selfUs: number; totalUs: number; calls: number }>();
  private profiledUs = 0;

  constructor(private readonly roots: readonly string[]) {}

  add(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw badProfile("Python", "not JSON");
    }
    const parsed = pstatsSchema.safeParse(json);
    if (!parsed.success)
      throw badProfile(
        "Python",
        `not a ${PSTATS_FORMAT} dump: ${parsed.error.issues[0]?.path.join(".") || "shape"} ${parsed.error.issues[0]?.message ?? ""}`.trim(),
      );
    for (const [rawFile, line, name, , calls, selfUs, totalUs] of parsed.data.functions) {
      if (isProfilerFrame(rawFile, name)) continue;
      // Built-ins come as file "~", line 0 and a name like "<built-in method time.sleep>".
      const builtin = rawFile === "~";
      const where = builtin ? { file: "(built-in)", inProject: false } : projectPath(rawFile, this.roots);
      const key = `${name}\0${where.file}\0${line}`;
      let entry = this.byKey.get(key);
      if (!entry) {
        entry = {
          spot: {
            function: name,
            file: where.file,
            line: builtin || line === 0 ? null : line,
            inProject: where.inProject,
            selfMs: 0,
            selfShare: 0,
            totalMs: 0,
            totalShare: 0,
            calls: 0,
            hits: null,
          },
          selfUs: 0,
          totalUs: 0,
          calls: 0,
        };
        this.byKey.set(key, entry);
      }
      entry.selfUs += selfUs;
      entry.totalUs += totalUs;
      entry.calls += calls;
      this.profiledUs += selfUs;
    }
  }

  hotSpots(runs: number): { spots: HotSpot[]; profiledMs: number } {
    const total = this.profiledUs || 1;
    const spots = [...this.byKey.values()].map((e) => ({
      ...e.spot,
      selfMs: round3(e.selfUs / 1000 / runs),
      selfShare: round3(e.selfUs / total),
      // A recursive function's cumulative time can exceed the run's: a share is at most all of it.
      totalMs: round3(e.totalUs / 1000 / runs),
      totalShare: round3(Math.min(1, e.totalUs / total)),
      calls: Math.round(e.calls / runs),
    }));
    return { spots, profiledMs: round3(this.profiledUs / 1000 / runs) };
  }
}
