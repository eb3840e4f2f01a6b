"use client";

import { useEffect, useRef, useState } from "react";
import { useTRPCClient } from "@/lib/trpc/client";

/** What the pane keeps of a process's output: enough to see why a dev server failed. */
const KEPT_CHARS = 64 * 1024;

export interface ProcessOutputState {
  text: string;
  /** Set once the process's exit event arrived. */
  exit: { status: string; exitCode: number | null } | null;
}

/**
 * A background process's output as text: what the server kept, then live (the subscription
 * resumes after its last event id if the connection drops). `onExit` runs once the process ends.
 */
export function useProcessOutput(processId: number | null, onExit: () => void): ProcessOutputState {
  const client = useTRPCClient();
  const [state, setState] = useState<ProcessOutputState>({ text: "", exit: null });
  // Read when the event arrives: a new callback must not re-subscribe (that would replay the output).
  const exitHandler = useRef(onExit);
  exitHandler.current = onExit;

  useEffect(() => {
    setState({ text: "", exit: null });
    if (processId === null) return;
    const subscription = client.processes.output.subscribe(
      { processId },
      {
        onData: ({ data }) => {
          if (data.type === "exit") {
            setState((s) => ({ ...s, exit: { status: data.status, exitCode: data.exitCode } }));
            exitHandler.current();
          } else {
            setState((s) => ({ ...s, text: (s.text + data.data).slice(-KEPT_CHARS) }));
          }
        },
      },
    );
    return () => subscription.unsubscribe();
  }, [client, processId]);

  return state;
}
