"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";
import { useTRPC } from "@/lib/trpc/client";

/** Matches the server's cap: longer commands run but are not recalled. */
const HISTORY_COMMAND_MAX = 4096;

/**
 * The command line's history, kept on the server per user and project (so it survives reloads
 * and follows the user to another browser), with shell-like Up/Down navigation: Up walks back
 * from the newest entry, Down walks forward and finally returns to the line being typed.
 */
export function useCommandHistory(projectId: number) {
  const trpc = useTRPC();
  const stored = useQuery({ ...trpc.commandHistory.list.queryOptions({ projectId }), staleTime: Infinity });
  const add = useMutation(trpc.commandHistory.add.mutationOptions());
  const [added, setAdded] = useState<string[]>([]);
  const position = useRef<number | null>(null);
  const draft = useRef("");

  const entries = [...(stored.data?.commands ?? []), ...added];

  const record = useCallback(
    (command: string) => {
      position.current = null;
      if (!command.trim() || command.length > HISTORY_COMMAND_MAX) return;
      setAdded((prev) => {
        const all = [...(stored.data?.commands ?? []), ...prev];
        return all.at(-1) === command ? prev : [...prev, command];
      });
      add.mutate({ projectId, command });
    },
    [add, projectId, stored.data],
  );

  /** The line to show after Up (-1) or Down (+1), or null when there is nowhere to go. */
  const navigate = (direction: -1 | 1, current: string): string | null => {
    if (entries.length === 0) return null;
    if (position.current === null) {
      if (direction === 1) return null;
      draft.current = current;
      position.current = entries.length - 1;
      return entries[position.current] ?? null;
    }
    const next = position.current + direction;
    if (next < 0) return null;
    if (next >= entries.length) {
      position.current = null;
      return draft.current;
    }
    position.current = next;
    return entries[next] ?? null;
  };

  /** Typing leaves history navigation (the edited line becomes the draft). */
  const reset = () => {
    position.current = null;
  };

  return { entries, loading: stored.isLoading, error: stored.error ?? add.error, record, navigate, reset };
}
