import type { ClusterCommand } from "./cluster-bus";

type PushFiles = Extract<ClusterCommand, { type: "push-files" }>;

/** A chunk's JSON stays under this: the bus's envelope adds < 200 bytes, PostgreSQL's limit is 8000. */
export const MAX_PUSH_BYTES = 6_500;
/** The schema's bound on each list. */
const MAX_NAMES = 1_000;

/**
 * A save's names split into push-files commands that each fit in one NOTIFY, so every peer gets
 * every upserted and deleted path by name (before, a save naming too many was sent as "push
 * every file", which could not mirror deletions). One path is at most 4096 characters (the
 * schema's bound), so a chunk always holds at least one.
 */
export function pushChunks(projectId: number, paths: readonly string[], deleted: readonly string[]): PushFiles[] {
  const chunks: PushFiles[] = [];
  let current: PushFiles = { type: "push-files", projectId, paths: [], deleted: [] };
  let size = JSON.stringify(current).length;
  const add = (list: "paths" | "deleted", name: string) => {
    const cost = JSON.stringify(name).length + 1;
    const target = current[list] ?? [];
    if (size + cost > MAX_PUSH_BYTES || target.length >= MAX_NAMES) {
      chunks.push(current);
      current = { type: "push-files", projectId, paths: [], deleted: [] };
      size = JSON.stringify(current).length;
    }
    (current[list] ?? []).push(name);
    size += cost;
  };
  for (const path of paths) add("paths", path);
  for (const path of deleted) add("deleted", path);
  if (current.paths?.length || current.deleted.length) chunks.push(current);
  return chunks;
}
