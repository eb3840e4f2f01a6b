"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Terminal } from "@xterm/xterm";
import { type FormEvent, type KeyboardEvent, useCallback, useRef, useState } from "react";
import { toast } from "sonner";
import { useTRPC, useTRPCClient } from "@/lib/trpc/client";
import type { FileLinkHandler } from "../file-links/xterm-file-links";
import { ExecutionStream, type StreamSnapshot } from "./execution-stream";
import { ServeHint } from "./ServeHint";
import { StreamBadge } from "./StreamBadge";
import { useServeSuggestion } from "./use-serve-suggestion";
import { useCommandHistory } from "./use-command-history";
import { XtermView } from "./XtermView";
import { ansi } from "./xterm-theme";

type Props = {
  projectId: number;
  defaultCommand: string;
  active: boolean;
  /** A run's time limit (SANDBOX_DEFAULT_TIMEOUT), stated beside Run: a server started here ends at it. */
  timeoutSeconds: number;
  /** Shows the preview beside the editor (after a run moved to the background). */
  showPreview: () => void;
  /** What the empty command line suggests (the template's own commands). */
  placeholder?: string;
  fileLinks?: FileLinkHandler;
};

const IDLE: StreamSnapshot = { running: null, queued: 0, connection: "connecting", lastExit: null };

/**
 * The IDE's output terminal: every execution of the project (the user's, the chat service's)
 * streams into an xterm with its colours, and a command line below runs commands, with a
 * history that Up/Down recall. Ctrl+C (in the terminal or on an empty selection in the command
 * line) cancels the execution that is running.
 */
export function OutputTerminal({
  projectId,
  defaultCommand,
  active,
  timeoutSeconds,
  showPreview,
  placeholder = "a command, e.g. node index.js",
  fileLinks,
}: Props) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const history = useCommandHistory(projectId);
  const run = useMutation(trpc.executions.run.mutationOptions());
  const cancel = useMutation(trpc.executions.cancel.mutationOptions());
  // Until the user edits it, the command follows the template's run command (which loads later).
  const [edited, setEdited] = useState<string | null>(null);
  const command = edited ?? defaultCommand;
  const [snapshot, setSnapshot] = useState<StreamSnapshot>(IDLE);
  const stream = useRef<ExecutionStream | null>(null);
  const running = useRef<StreamSnapshot["running"]>(null);
  running.current = snapshot.running;
  const serve = useServeSuggestion(projectId, snapshot, showPreview);
  const { onProgramOutput } = serve;

  const cancelRunning = useCallback(() => {
    const execution = running.current;
    if (!execution) return false;
    cancel.mutate({ executionId: execution.id }, { onError: (e) => toast.error(`Cancel failed: ${e.message}`) });
    return true;
  }, [cancel]);

  const onReady = useCallback(
    (terminal: Terminal) => {
      terminal.write("\x1b[?25l"); // no cursor: this terminal shows output, it takes no input
      terminal.write(ansi.dim("Executions of this project appear here as they run, whoever starts them.\n"));
      const live = new ExecutionStream(
        client,
        projectId,
        (text) => terminal.write(text),
        (next) => {
          setSnapshot((prev) => {
            if (prev.lastExit?.id !== next.lastExit?.id) void queryClient.invalidateQueries({ queryKey: trpc.executions.history.queryKey({ projectId }) });
            return next;
          });
        },
        onProgramOutput,
      );
      stream.current = live;
      live.start();
      const keys = terminal.onData((data) => {
        if (data === "\x03") cancelRunning();
      });
      return () => {
        keys.dispose();
        live.stop();
        stream.current = null;
      };
    },
    [cancelRunning, client, onProgramOutput, projectId, queryClient, trpc],
  );

  async function onRun(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const line = command.trim();
    if (!line) return;
    history.record(command);
    setEdited("");
    try {
      const { executionId } = await run.mutateAsync({ projectId, kind: "command", command });
      // The feed announces it too; whichever comes first shows it, the other is ignored.
      stream.current?.enqueue({ id: executionId, executedCode: command, executedByAi: null });
    } catch (e) {
      toast.error(`The command could not start: ${e instanceof Error ? e.message : "unknown error"}`);
      setEdited(command);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    if (event.key === "ArrowUp" || event.key === "ArrowDown") {
      const next = history.navigate(event.key === "ArrowUp" ? -1 : 1, input.value);
      event.preventDefault();
      if (next !== null) setEdited(next);
    } else if (event.ctrlKey && event.key.toLowerCase() === "c" && input.selectionStart === input.selectionEnd) {
      if (cancelRunning()) event.preventDefault();
    }
  }

  const { running: current, lastExit } = snapshot;
  return (
    <section className="terminal-panel" aria-label="Terminal output">
      <XtermView
        onReady={onReady}
        active={active}
        label="Execution output"
        testId="run-output"
        options={{ convertEol: true, cursorBlink: false }}
        fileLinks={fileLinks}
      />
      {serve.suggestion && (
        <ServeHint
          suggestion={serve.suggestion}
          timeoutSeconds={timeoutSeconds}
          moving={serve.moving}
          onRunInBackground={() =>
            void serve.runInBackground().then(
              (p) => p && toast.success(`Running in the background (#${p.id}); the preview opens when port ${p.port ?? ""} answers`),
              (e: unknown) => toast.error(`Could not move it to the background: ${e instanceof Error ? e.message : "unknown error"}`),
            )
          }
          onDismiss={serve.dismiss}
        />
      )}
      <form className="terminal-bar" onSubmit={(e) => void onRun(e)}>
        <span className="prompt" aria-hidden>
          $
        </span>
        <input
          aria-label="Command"
          className="grow mono"
          data-history={history.loading ? "loading" : history.entries.length}
          value={command}
          onChange={(e) => {
            history.reset();
            setEdited(e.target.value);
          }}
          onKeyDown={onKeyDown}
          placeholder={`${placeholder}   (↑/↓ history, Ctrl+C cancels; a run stops after ${timeoutSeconds} s)`}
          autoComplete="off"
          spellCheck={false}
        />
        <button className="btn" type="submit" disabled={run.isPending || !command.trim()}>
          {run.isPending ? "Starting…" : "Run"}
        </button>
        {current && (
          <button type="button" className="btn btn-ghost" onClick={() => cancelRunning()}>
            Cancel
          </button>
        )}
        <span className="run-status" data-testid="run-status">
          {current
            ? `running #${current.id}${snapshot.queued ? ` (+${snapshot.queued} queued)` : ""}… stops after ${timeoutSeconds} s`
            : lastExit && (
                <span className={`status status-${lastExit.status}`}>
                  {lastExit.status}
                  {lastExit.exitCode !== null && ` · exit ${lastExit.exitCode}`}
                  {lastExit.reason && ` · ${lastExit.reason}`}
                  {lastExit.truncated && " · output truncated"}
                </span>
              )}
        </span>
        <StreamBadge state={snapshot.connection} />
      </form>
    </section>
  );
}
