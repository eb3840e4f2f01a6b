import { describe, expect, it } from "vitest";
import { clusterCommandSchema } from "./cluster-bus";
import { MAX_PUSH_BYTES, pushChunks } from "./push-chunks";

describe("pushChunks", () => {
  it("names every upserted and deleted path across commands that each fit in one NOTIFY", () => {
    const paths = Array.from({ length: 3_000 }, (_, i) => `src/components/generated/component-${i}.tsx`);
    const deleted = Array.from({ length: 2_500 }, (_, i) => `old/${"d".repeat(i % 300)}-${i}.txt`);
    const chunks = pushChunks(9, paths, deleted);
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) {
      expect(JSON.stringify(chunk).length).toBeLessThanOrEqual(MAX_PUSH_BYTES);
      expect(clusterCommandSchema.parse(chunk)).toEqual(chunk);
    }
    expect(chunks.flatMap((c) => c.paths ?? [])).toEqual(paths);
    expect(chunks.flatMap((c) => c.deleted)).toEqual(deleted);
  });

  it("one command for a small save, none for an empty one, one path of the longest allowed length alone", () => {
    expect(pushChunks(1, ["a.txt"], ["b.txt"])).toEqual([{ type: "push-files", projectId: 1, paths: ["a.txt"], deleted: ["b.txt"] }]);
    expect(pushChunks(1, [], [])).toEqual([]);
    const long = "x".repeat(4096);
    expect(pushChunks(1, [long, long], []).map((c) => c.paths)).toEqual([[long], [long]]);
  });
});
