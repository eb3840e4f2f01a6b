"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { parseSavedTabs, serializeTabs, tabMemoryKey, tabsToOpen } from "./tab-memory";

type OpenFiles = {
  tabs: string[];
  active: string | null;
  restore: (paths: readonly string[], active: string | null) => Promise<void>;
};

function readStorage(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null; // storage disabled (privacy mode, policy): the entry point opens instead
  }
}

function writeStorage(key: string, value: string) {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // full or disabled: the next visit opens the entry point, nothing else is lost
  }
}

/**
 * Opening a project reopens the tabs this user had open in it on this browser (those that still
 * exist), else its entry point or README.md (tab-memory.ts); from then on every tab change is
 * remembered.
 */
export function useTabMemory(userId: number, projectId: number, files: OpenFiles) {
  const trpc = useTRPC();
  const tree = useQuery(trpc.files.tree.queryOptions({ projectId }));
  const key = tabMemoryKey(userId, projectId);
  // Restoring starts once per project; remembering starts once it is done, or the empty tab list
  // the IDE starts with would overwrite what was saved.
  const planned = useRef<string | null>(null);
  const [restored, setRestored] = useState<string | null>(null);
  const { restore } = files;

  useEffect(() => {
    if (!tree.data || planned.current === key) return;
    planned.current = key;
    const plan = tabsToOpen(parseSavedTabs(readStorage(key)), tree.data);
    void restore(plan.tabs, plan.active).finally(() => setRestored(key));
  }, [key, restore, tree.data]);

  useEffect(() => {
    if (restored === key) writeStorage(key, serializeTabs(files.tabs, files.active));
  }, [restored, key, files.tabs, files.active]);
}
