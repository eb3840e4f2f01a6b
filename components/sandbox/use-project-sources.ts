"use client";

import { useQueries, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useTRPC } from "@/lib/trpc/client";

const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|json)$/;
const MAX_FILES = 300;
const MAX_BYTES = 512 * 1024;

/**
 * The text of the project's TypeScript/JavaScript/JSON files, for the editor's IntelliSense across
 * files. Reads batch into few requests; the change feed invalidates the ones that change.
 */
export function useProjectSources(projectId: number): ReadonlyMap<string, string> {
  const trpc = useTRPC();
  const tree = useQuery(trpc.files.tree.queryOptions({ projectId }));
  const paths = useMemo(
    () =>
      (tree.data ?? [])
        .filter((f) => SOURCE.test(f.filePath) && f.encoding === "utf8" && f.sizeBytes <= MAX_BYTES && !f.filePath.includes("node_modules/"))
        .slice(0, MAX_FILES)
        .map((f) => f.filePath),
    [tree.data],
  );
  const reads = useQueries({ queries: paths.map((path) => trpc.files.read.queryOptions({ projectId, path })) });
  const key = reads.map((r) => r.dataUpdatedAt).join(",");
  return useMemo(() => {
    const sources = new Map<string, string>();
    reads.forEach((read, i) => {
      const path = paths[i];
      if (path && read.data?.content != null && read.data.encoding === "utf8") sources.set(path, read.data.content);
    });
    return sources;
    // `reads` is a new array every render; the update stamps in `key` say when its data changed.
  }, [paths, key]);
}
