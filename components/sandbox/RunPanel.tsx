"use client";

import { skipToken, useMutation, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "@/lib/trpc/client";

// CSI/OSC escape sequences: a plain <pre> shows text only (colours come with xterm).
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007]*(\u0007|\u001b\\)/g;
const stripAnsi = (text: string) => text.replace(ANSI, "");

type Exit = { exitCode: number | null; status: string; reason: string | null; truncated: boolean };

export function RunPanel({ projectId, defaultCommand }: { projectId: number; defaultCommand: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Until the user edits it, the command follows the template's run command (which loads later).
  const [edited, setEdited] = useState<string | null>(null);
  const command = edited ?? defaultCommand;
  const [executionId, setExecutionId] = useState<number | null>(null);
  const [output, setOutput] = useState("");
  const [exit, setExit] = useState<Exit | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = useMutation(trpc.executions.run.mutationOptions());
  const cancel = useMutation(trpc.executions.cancel.mutationOptions());

  const subscription = useSubscription(
    trpc.executions.output.subscriptionOptions(executionId === null ? skipToken : { executionId }, {
      enabled: executionId !== null && exit === null,
      onData: ({ data: event }) => {
        if (event.type === "exit") {
          setExit({ exitCode: event.exitCode, status: event.status, reason: event.reason, truncated: event.truncated });
          void queryClient.invalidateQueries({ queryKey: trpc.executions.history.queryKey({ projectId }) });
          return;
        }
        setOutput((prev) => prev + stripAnsi(event.data));
      },
    }),
  );

  async function onRun(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setOutput("");
    setExit(null);
    setExecutionId(null);
    try {
      const { executionId: id } = await run.mutateAsync({ projectId, kind: "command", command });
      setExecutionId(id);
    } catch (e) {
      setError(e instanceof Error ? e.message : "The command could not start");
    }
  }

  const running = executionId !== null && exit === null;
  return (
    <section className="run-panel" aria-label="Run">
      <form className="run-bar" onSubmit={onRun}>
        <input aria-label="Command" className="grow mono" value={command} onChange={(e) => setEdited(e.target.value)} placeholder="node index.js" />
        <button className="btn" type="submit" disabled={run.isPending || running || !command.trim()}>
          {run.isPending ? "Starting…" : "Run"}
        </button>
        {running && (
          <button type="button" className="btn btn-ghost" onClick={() => void cancel.mutateAsync({ executionId })}>
            Cancel
          </button>
        )}
        <span className="run-status" data-testid="run-status">
          {running && (subscription.status === "connecting" ? "connecting…" : "running…")}
          {exit && (
            <span className={`status status-${exit.status}`}>
              {exit.status}
              {exit.exitCode !== null && ` · exit ${exit.exitCode}`}
              {exit.reason && ` · ${exit.reason}`}
              {exit.truncated && " · output truncated"}
            </span>
          )}
        </span>
      </form>
      {error && (
        <p className="error pad" role="alert" data-testid="run-error">
          {error}
        </p>
      )}
      {subscription.error && <p className="error pad">Output stream failed: {subscription.error.message}</p>}
      <pre className="output" data-testid="run-output" aria-live="polite">
        {output || (executionId === null ? <span className="muted">Output appears here.</span> : "")}
      </pre>
    </section>
  );
}
