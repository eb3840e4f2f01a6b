"use client";

import dynamic from "next/dynamic";

// Monaco touches window and workers: client-only, never rendered on the server.
export const CodeEditor = dynamic(() => import("./MonacoEditor"), {
  ssr: false,
  loading: () => <p className="muted pad">Loading editor…</p>,
});
