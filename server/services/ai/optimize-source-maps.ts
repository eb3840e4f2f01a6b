import { SourceMap, type SourceMapPayload } from "node:module";
import { z } from "zod";
import { badProfile } from "./optimize-hot-spots";

// The source maps tsx registered for the project's TypeScript (saved by the script's maps.cjs):
// V8 reports positions in the transpiled code, these give them back in the .ts source.

const payloadSchema = z.looseObject({
  version: z.literal(3),
  mappings: z.string().max(50_000_000),
  sources: z.array(z.string().nullable()).max(10_000),
  names: z.array(z.string()).max(1_000_000).optional(),
});
const savedMapsSchema = z.record(z.string().max(10_000), payloadSchema);

export class SourceMaps {
  private readonly byUrl = new Map<string, SourceMap>();

  add(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw badProfile("source map", "not JSON");
    }
    const parsed = savedMapsSchema.safeParse(json);
    if (!parsed.success) throw badProfile("source map", `not a version 3 source map: ${parsed.error.issues[0]?.path.join(".") || "shape"}`);
    for (const [url, payload] of Object.entries(parsed.data)) {
      if (this.byUrl.has(url)) continue; // one map per file: every process transpiles it alike
      try {
        this.byUrl.set(url, new SourceMap({ names: [], ...payload } as SourceMapPayload));
      } catch {
        throw badProfile("source map", `the map of ${url} does not decode`);
      }
    }
  }

  /** The 1-based source line of a 0-based generated position, or null where the file has no map or the position no mapping. */
  originalLine(url: string, line: number, column: number): number | null {
    const map = this.byUrl.get(url);
    if (!map || line < 0) return null;
    const entry = map.findEntry(line, Math.max(0, column)) as { originalLine?: number };
    return typeof entry.originalLine === "number" ? entry.originalLine + 1 : null;
  }
}
