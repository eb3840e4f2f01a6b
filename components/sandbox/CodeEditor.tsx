"use client";

import dynamic from "next/dynamic";

const loadEditor = () => import("./MonacoEditor");

// Monaco touches window and workers: client-only, never rendered on the server.
export const CodeEditor = dynamic(loadEditor, {
  ssr: false,
  loading: () => <p className="muted pad">Loading editor…</p>,
});

/**
 * Starts downloading and evaluating Monaco (megabytes of JavaScript) as the IDE opens, while the
 * tree loads, instead of when the first file is clicked.
 */
export function preloadEditor(): void {
  void loadEditor().then(({ preloadMonaco }) => preloadMonaco());
}
