"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { OutputPortScanner } from "@/lib/listening-ports";
import { useTRPC, useTRPCClient } from "@/lib/trpc/client";
import type { AnnouncedExecution, StreamSnapshot } from "./execution-stream";

export interface ServeSuggestion {
  executionId: number;
  command: string;
  port: number;
  /** False once the run has ended (its time limit, a cancel). */
  running: boolean;
}

/** How long "Run in background" waits for a cancelled run to end (and free its port). */
const CANCEL_WAIT_MS = 15_000;

/**
 * Notices a run that serves a port — live, from the addresses its output names, and at its end
 * from the execution's `listeningPorts` (the server also read the container's sockets) — and
 * moves it to a background process with a preview in one click: the run is cancelled (freeing
 * the port), the same command starts in the background, and the preview is shown.
 */
export function useServeSuggestion(projectId: number, snapshot: StreamSnapshot, showPreview: () => void) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [suggestion, setSuggestion] = useState<ServeSuggestion | null>(null);
  const [moving, setMoving] = useState(false);
  const scanners = useRef(new Map<number, OutputPortScanner>());
  const runningId = useRef<number | null>(null);
  /** Runs already moved to the background: their end (a cancel) must not bring the suggestion back. */
  const moved = useRef(new Set<number>());
  runningId.current = snapshot.running?.id ?? null;

  /** Fed with every run's own output (ExecutionStream's onProgramOutput). */
  const onProgramOutput = useCallback((execution: AnnouncedExecution, data: string) => {
    const command = execution.executedCode ?? "";
    // A code snippet (several lines) cannot be started as a background command.
    if (!command.trim() || command.includes("\n")) return;
    let scanner = scanners.current.get(execution.id);
    if (!scanner) scanners.current.set(execution.id, (scanner = new OutputPortScanner()));
    const [port] = scanner.feed(data);
    if (port !== undefined)
      setSuggestion((s) => (s?.executionId === execution.id ? s : { executionId: execution.id, command: command.trim(), port, running: true }));
  }, []);

  // A new run replaces the suggestion about an ended one.
  const suggestionRef = useRef(suggestion);
  suggestionRef.current = suggestion;
  const newRun = snapshot.running?.id ?? null;
  useEffect(() => {
    if (newRun !== null && suggestionRef.current && !suggestionRef.current.running && suggestionRef.current.executionId !== newRun) setSuggestion(null);
  }, [newRun]);

  // At the end the server's answer decides: it confirmed the ports with the container's sockets.
  const lastExit = snapshot.lastExit;
  useEffect(() => {
    if (!lastExit) return;
    scanners.current.delete(lastExit.id);
    const killedRunning = lastExit.status === "timeout" || lastExit.reason === "cancelled";
    if (moved.current.has(lastExit.id) || (suggestionRef.current?.executionId !== lastExit.id && !killedRunning)) return;
    let current = true;
    void client.executions.get
      .query({ executionId: lastExit.id })
      .then((execution) => {
        if (!current || moved.current.has(execution.id)) return;
        const [port] = execution.listeningPorts;
        const command = execution.executedCode?.trim() ?? "";
        setSuggestion((now) => {
          if (port !== undefined && command && !command.includes("\n")) return { executionId: execution.id, command, port, running: false };
          return now?.executionId === execution.id ? null : now;
        });
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [client, lastExit]);

  const dismiss = useCallback(() => setSuggestion(null), []);

  const runInBackground = useCallback(async () => {
    if (!suggestion) return;
    setMoving(true);
    moved.current.add(suggestion.executionId);
    try {
      if (runningId.current === suggestion.executionId) {
        await client.executions.cancel.mutate({ executionId: suggestion.executionId });
        const deadline = Date.now() + CANCEL_WAIT_MS;
        while (runningId.current === suggestion.executionId && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      }
      const started = await client.processes.start.mutate({ projectId, command: suggestion.command, port: suggestion.port });
      await queryClient.invalidateQueries({ queryKey: trpc.processes.list.queryKey({ projectId }) });
      setSuggestion(null);
      showPreview();
      return started;
    } finally {
      setMoving(false);
    }
  }, [client, projectId, queryClient, showPreview, suggestion, trpc]);

  return { suggestion, moving, onProgramOutput, runInBackground, dismiss };
}
