"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useRef } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/lib/trpc/client";

export type FileChangeNotice =
  { kind: "resync" } | { kind: "change"; upserted: string[]; deleted: string[]; versions: Record<string, string>; source: "api" | "execution" };

/**
 * Follows the project's file change feed (edits by anyone, AIs, and files executions write back):
 * the tree and changed files' queries are refetched, and `onChange` lets the editor refresh open
 * tabs. httpSubscriptionLink resends the last event id on reconnect, so nothing is missed or repeated.
 */
export function useFileChangeFeed(projectId: number, onChange: (notice: FileChangeNotice) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  });

  // A fetch already in flight may predate the change, and TanStack folds an invalidation into a
  // first fetch still in flight (the IDE opening while a file is written): cancel it, then refetch.
  const refresh = (queryKey: readonly unknown[]) => void queryClient.cancelQueries({ queryKey }).then(() => queryClient.invalidateQueries({ queryKey }));

  return useSubscription(
    trpc.files.changes.subscriptionOptions(
      { projectId },
      {
        onData: ({ data: event }) => {
          refresh(trpc.files.tree.queryKey({ projectId }));
          // Every API change set is a checkpoint: the History panel shows it without a reload.
          if (event.type === "resync" || event.checkpointId) refresh(trpc.checkpoints.list.queryKey({ projectId }));
          if (event.type === "resync") {
            refresh(trpc.files.read.queryKey());
            onChangeRef.current({ kind: "resync" });
            return;
          }
          for (const path of [...event.upserted, ...event.deleted]) refresh(trpc.files.read.queryKey({ projectId, path }));
          // A file a program wrote but the server could not save (e.g. a name that is not UTF-8).
          for (const f of event.refused.slice(0, 3)) toast.warning(`Not saved: ${JSON.stringify(f.path)} (${f.detail ?? f.reason})`);
          onChangeRef.current({ kind: "change", upserted: event.upserted, deleted: event.deleted, versions: event.versions, source: event.source });
        },
      },
    ),
  );
}
