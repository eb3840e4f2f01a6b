import { z } from "zod";
import { type HotSpot, badProfile, projectPath, round3 } from "./optimize-hot-spots";
import type { SourceMaps } from "./optimize-source-maps";

// V8's .cpuprofile (node --cpu-prof): a call tree of nodes, and samples naming the node that was
// running every interval, with the time since the previous sample. Self time of a function is the
// time of samples taken in it; total time counts a sample once for every distinct function on its stack.

const callFrameSchema = z.object({
  functionName: z.string().max(10_000),
  url: z.string().max(10_000),
  lineNumber: z.number().int(),
  columnNumber: z.number().int(),
});
const cpuProfileSchema = z.object({
  nodes: z
    .array(z.object({ id: z.number().int(), callFrame: callFrameSchema, children: z.array(z.number().int()).optional() }))
    .min(1)
    .max(1_000_000),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number().int()).max(10_000_000),
  timeDeltas: z.array(z.number()).max(10_000_000),
});

/** Nodes V8 adds that are no function of the program's. */
const NOT_A_FUNCTION = new Set(["(root)", "(idle)"]);

interface Accumulated {
  spot: Omit<HotSpot, "selfMs" | "selfShare" | "totalMs" | "totalShare">;
  selfUs: number;
  totalUs: number;
}

/** Parses every profile of a run (one per Node process or thread) into per-function sums. */
export class CpuProfileAggregate {
  private readonly byKey = new Map<string, Accumulated>();
  private profiledUs = 0;
  private readonly generated = new Map<string, { url: string; line: number; column: number }>();

  /** `maps`: read at `hotSpots()`, so maps may arrive after the profiles they translate. */
  constructor(
    private readonly roots: readonly string[],
    private readonly maps: SourceMaps | null = null,
  ) {}

  add(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw badProfile("V8 CPU", "not JSON");
    }
    const parsed = cpuProfileSchema.safeParse(json);
    if (!parsed.success)
      throw badProfile("V8 CPU", `not a .cpuprofile: ${parsed.error.issues[0]?.path.join(".") || "shape"} ${parsed.error.issues[0]?.message ?? ""}`.trim());
    const profile = parsed.data;
    if (profile.samples.length !== profile.timeDeltas.length) throw badProfile("V8 CPU", "samples and timeDeltas differ in length");

    const keyOf = new Map<number, string | null>();
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) {
      if (keyOf.has(node.id)) throw badProfile("V8 CPU", `node ${node.id} appears twice`);
      const frame = node.callFrame;
      if (NOT_A_FUNCTION.has(frame.functionName)) {
        keyOf.set(node.id, null);
      } else {
        const name = frame.functionName || "(anonymous)";
        const line = frame.lineNumber >= 0 ? frame.lineNumber + 1 : null;
        const key = `${name}\0${frame.url}\0${line}\0${frame.columnNumber}`;
        this.generated.set(key, { url: frame.url, line: frame.lineNumber, column: frame.columnNumber });
        keyOf.set(node.id, key);
        if (!this.byKey.has(key)) {
          const where = projectPath(frame.url, this.roots);
          const file = where.file || "(native)";
          this.byKey.set(key, { spot: { function: name, file, line, inProject: where.inProject, calls: null, hits: 0 }, selfUs: 0, totalUs: 0 });
        }
      }
      for (const child of node.children ?? []) parentOf.set(child, node.id);
    }

    // The stack of a node: its distinct functions up to the root (recursion counted once), memoised.
    const stacks = new Map<number, string[]>();
    const stackOf = (id: number): string[] => {
      const known = stacks.get(id);
      if (known) return known;
      const chain: number[] = [];
      const seen = new Set<number>();
      for (let at: number | undefined = id; at !== undefined && !stacks.has(at); at = parentOf.get(at)) {
        if (seen.has(at)) throw badProfile("V8 CPU", "the call tree has a cycle");
        seen.add(at);
        chain.push(at);
      }
      for (let i = chain.length - 1; i >= 0; i--) {
        const at = chain[i]!;
        const parent = parentOf.get(at);
        const above = parent === undefined ? [] : (stacks.get(parent) ?? []);
        const key = keyOf.get(at);
        stacks.set(at, key && !above.includes(key) ? [...above, key] : above);
      }
      return stacks.get(id)!;
    };

    profile.samples.forEach((nodeId, i) => {
      if (!keyOf.has(nodeId)) throw badProfile("V8 CPU", `a sample names node ${nodeId}, which is not in the tree`);
      // A sample's delta is the time since the previous one: V8 charges it to this sample's node.
      const us = Math.max(0, profile.timeDeltas[i]!);
      const own = keyOf.get(nodeId);
      if (own === null) return; // idle: the program was waiting, not computing
      this.profiledUs += us;
      const entry = this.byKey.get(own!)!;
      entry.selfUs += us;
      entry.spot.hits! += 1;
      for (const key of stackOf(nodeId)) this.byKey.get(key)!.totalUs += us;
    });
  }

  /** Per function, averaged over `runs` runs; functions never sampled are left out. */
  hotSpots(runs: number): { spots: HotSpot[]; profiledMs: number } {
    const total = this.profiledUs || 1;
    const spots = [...this.byKey.entries()]
      .filter(([, e]) => e.totalUs > 0)
      .map(([key, e]) => ({
        ...e.spot,
        line: this.sourceLine(key) ?? e.spot.line,
        selfMs: round3(e.selfUs / 1000 / runs),
        selfShare: round3(e.selfUs / total),
        totalMs: round3(e.totalUs / 1000 / runs),
        totalShare: round3(e.totalUs / total),
      }));
    return { spots, profiledMs: round3(this.profiledUs / 1000 / runs) };
  }

  private sourceLine(key: string): number | null {
    const at = this.generated.get(key);
    return at && this.maps ? this.maps.originalLine(at.url, at.line, at.column) : null;
  }
}
