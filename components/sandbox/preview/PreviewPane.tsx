"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { toast } from "sonner";
import { useTRPC, useTRPCClient } from "@/lib/trpc/client";
import type { commandHints } from "../command-hints";
import { LinkifiedText } from "../file-links/LinkifiedText";
import type { FileLinkHandler } from "../file-links/xterm-file-links";
import type { IdeProject } from "../types";
import { useProcessOutput } from "./use-process-output";
import "./preview.css";

type Status = "running" | "exited" | "failed" | "stopped";

const STATUS_LABEL: Record<Status, string> = { running: "running", exited: "exited", failed: "failed", stopped: "stopped" };

/** "#3 :5173 npm run dev" (dev servers started before templates dropped their install step carry it in front). */
function processLabel(p: { id: number; port: number | null; command: string; status: string }): string {
  const command = p.command.split(" && ").at(-1) ?? p.command;
  return `#${p.id}${p.port ? ` :${p.port}` : ""} ${command.length > 40 ? `${command.slice(0, 40)}…` : command} (${p.status})`;
}

/** A hand-off link lives 120 s on the server; the one kept for "open in new tab" is renewed well before. */
const LINK_REFRESH_MS = 60_000;

type Props = {
  project: IdeProject;
  /** True while the pane is shown: it polls and probes only then. */
  active: boolean;
  fileLinks?: FileLinkHandler;
  hints: ReturnType<typeof commandHints>;
  onClose?: () => void;
};

/**
 * The IDE's preview, beside the editor: starts the template's dev server (or any command serving a port) in the
 * background of the project's sandbox, shows its page in an iframe on the preview's own origin
 * (never the app's), with reload, "open in new tab" and "open in a window", says plainly when nothing listens on the
 * port yet, and shows the process's output and status (a crashed dev server says why) with a
 * stop button. The app's session opens no preview: the frame and the new tab start at a
 * short-lived link (`processes.previewLink`) that gives the browser a cookie of that preview alone.
 */
export function PreviewPane({ project, active, fileLinks, hints, onClose }: Props) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const projectId = project.id;
  const templates = useQuery(trpc.templates.list.queryOptions());
  const dev = templates.data?.find((t) => t.id === project.templateType)?.commands.dev ?? null;
  const listKey = trpc.processes.list.queryKey({ projectId });
  const processes = useQuery({ ...trpc.processes.list.queryOptions({ projectId }), refetchInterval: active ? 5_000 : false });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: listKey });

  const [selectedId, setSelectedId] = useState<number | null>(null);
  const list = processes.data ?? [];
  const selected = list.find((p) => p.id === selectedId) ?? list.find((p) => p.status === "running" && p.previewUrl) ?? list[0] ?? null;
  const running = selected?.status === "running";

  const startDev = useMutation(
    trpc.processes.startDev.mutationOptions({
      onSuccess: (p) => {
        setSelectedId(p.id);
        refresh();
      },
      onError: (e) => toast.error(`Could not start the dev server: ${e.message}`),
    }),
  );
  const start = useMutation(
    trpc.processes.start.mutationOptions({
      onSuccess: (p) => {
        setSelectedId(p.id);
        refresh();
      },
      onError: (e) => toast.error(`Could not start the process: ${e.message}`),
    }),
  );
  const stop = useMutation(trpc.processes.stop.mutationOptions({ onSettled: refresh, onError: (e) => toast.error(`Stop failed: ${e.message}`) }));

  // The output shares the pane with the page: shown while there is no page to look at, or on demand.
  const [outputShown, setOutputShown] = useState<boolean | null>(null);
  // "Nothing listening on port N" until the dev server answers; then the iframe takes over.
  const [listening, setListening] = useState(false);
  const probe = useQuery({
    ...trpc.processes.probe.queryOptions({ processId: selected?.id ?? 0 }),
    enabled: Boolean(active && running && selected?.previewUrl && !listening),
    refetchInterval: 500,
    gcTime: 0,
  });
  useEffect(() => {
    setListening(false);
    setOutputShown(null);
  }, [selected?.id]);
  useEffect(() => {
    if (probe.data?.listening) setListening(true);
  }, [probe.data]);

  const previewUrl = running ? (selected?.previewUrl ?? null) : null;
  const linkFor = selected?.id ?? 0;
  const link = useQuery({
    queryKey: ["processes.previewLink", linkFor],
    queryFn: () => client.processes.previewLink.mutate({ processId: linkFor }),
    // Fetched as soon as the preview exists (not only once it answers), so "open in new tab" is
    // always a working link; renewed well inside its lifetime.
    enabled: Boolean(active && previewUrl),
    refetchInterval: LINK_REFRESH_MS,
    staleTime: 0,
    gcTime: 0,
  });
  // The frame keeps the link it was opened with (a renewed link must not reload the page); reload
  // remounts it with a fresh one. If the server has gone quiet since, the proxy's own page says so.
  const [frame, setFrame] = useState<{ processId: number; key: number; src: string } | null>(null);
  useEffect(() => {
    if (listening && link.data && selected && frame?.processId !== selected.id) setFrame({ processId: selected.id, key: 0, src: link.data.url });
  }, [listening, link.data, selected, frame?.processId]);
  const reload = () => {
    void link.refetch().then(({ data }) => {
      if (data && selected) setFrame((f) => ({ processId: selected.id, key: (f?.key ?? 0) + 1, src: data.url }));
    });
  };
  useEffect(() => {
    if (link.error) toast.error(`Could not open the preview: ${link.error.message}`);
  }, [link.error]);

  const output = useProcessOutput(selected?.id ?? null, refresh);
  const status = (output.exit?.status ?? selected?.status) as Status | undefined;
  const exitCode = output.exit?.exitCode ?? selected?.exitCode ?? null;

  const [command, setCommand] = useState("");
  const [port, setPort] = useState("");
  const onStartCommand = (e: FormEvent) => {
    e.preventDefault();
    if (!command.trim()) return;
    start.mutate({ projectId, command, port: port ? Number(port) : null });
  };

  const outputRef = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const el = outputRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [output.text]);

  const showOutput = outputShown ?? !(previewUrl && listening);
  // With no page to show (a dev server that failed, or is still starting), the output is the pane.
  const outputOnly = showOutput && !previewUrl;
  const starting = startDev.isPending || start.isPending;

  return (
    <div className="preview-pane" data-testid="preview-pane">
      <div className="preview-toolbar">
        {dev && (
          <button
            className="btn btn-small"
            data-testid="start-dev-server"
            disabled={starting || list.some((p) => p.status === "running" && p.port === dev.port)}
            onClick={() => startDev.mutate({ projectId })}
            title={`Runs the template's dev server on port ${dev.port}`}
          >
            {startDev.isPending ? "Starting…" : "Start dev server"}
          </button>
        )}
        {list.length > 1 && (
          <select aria-label="Process" value={selected?.id ?? ""} onChange={(e) => setSelectedId(Number(e.target.value))}>
            {list.map((p) => (
              <option key={p.id} value={p.id}>
                {processLabel(p)}
              </option>
            ))}
          </select>
        )}
        {selected && status && (
          <span className={`process-status ${status}`} data-testid="process-status">
            {STATUS_LABEL[status]}
            {(status === "failed" || status === "exited") && exitCode !== null ? ` (exit ${exitCode})` : ""}
          </span>
        )}
        {previewUrl && (
          <>
            <button className="btn btn-ghost btn-small" onClick={reload} data-testid="preview-reload" title="Reload the preview">
              ↻ Reload
            </button>
            {link.data && (
              <>
                <a
                  className="btn btn-ghost btn-small"
                  href={link.data.url}
                  target="_blank"
                  rel="noopener noreferrer"
                  data-testid="preview-open"
                  data-preview-url={previewUrl}
                  title="Open the preview in a new tab"
                >
                  New tab ↗
                </a>
                <button
                  className="btn btn-ghost btn-small"
                  data-testid="preview-window"
                  title="Open the preview in a window of its own, beside the IDE"
                  // noopener: the preview's page gets no handle on the IDE's window.
                  onClick={() => window.open(link.data.url, `pantheon-preview-${selected?.id ?? 0}`, "popup,width=1024,height=768,noopener,noreferrer")}
                >
                  Window ⧉
                </button>
              </>
            )}
            <code className="preview-url muted">{previewUrl}</code>
          </>
        )}
        {selected && (
          <button className="btn btn-ghost btn-small" aria-pressed={showOutput} data-testid="output-toggle" onClick={() => setOutputShown(!showOutput)}>
            Output {showOutput ? "▾" : "▸"}
          </button>
        )}
        {onClose && (
          <button className="icon-btn preview-close" aria-label="Hide the preview" title="Hide the preview" onClick={onClose}>
            ×
          </button>
        )}
        {running && selected && (
          <button
            className="btn btn-ghost btn-small"
            data-testid="process-stop"
            disabled={stop.isPending}
            onClick={() => stop.mutate({ processId: selected.id })}
          >
            {stop.isPending ? "Stopping…" : "Stop"}
          </button>
        )}
      </div>

      <div className={`preview-main${outputOnly ? " compact" : ""}`}>
        {previewUrl && listening && frame && frame.processId === selected?.id ? (
          <iframe
            key={frame.key}
            className="preview-frame"
            data-testid="preview-frame"
            src={frame.src}
            title={`Preview of port ${selected?.port ?? ""}`}
            // The separate origin keeps the page away from the app's DOM and session; the sandbox
            // also stops it from navigating the IDE's tab away (no allow-top-navigation). Being
            // cross-origin to the IDE, it cannot lift its own sandbox attribute.
            sandbox="allow-scripts allow-same-origin allow-forms allow-modals allow-popups allow-popups-to-escape-sandbox allow-downloads"
          />
        ) : previewUrl && listening ? (
          <div className="preview-empty" data-testid="preview-opening">
            <p className="muted">Opening the preview…</p>
          </div>
        ) : previewUrl ? (
          <div className="preview-empty" data-testid="preview-waiting">
            <p>
              <strong>Nothing is listening on port {selected?.port}</strong> yet.
            </p>
            <p className="muted">{probe.data?.detail ?? "Checking…"} — the preview opens as soon as the server answers.</p>
          </div>
        ) : (
          <div className="preview-empty">
            {selected && status && status !== "running" ? (
              <p data-testid="preview-ended">
                The process {status}
                {status !== "stopped" && exitCode !== null ? ` with exit code ${exitCode}` : ""}. Its output is below.
              </p>
            ) : (
              <p className="muted">{dev ? "Start the dev server to see the app here." : "Run a command that serves a port to preview it here."}</p>
            )}
            <form className="preview-command" onSubmit={onStartCommand}>
              <input
                aria-label="Background command"
                placeholder={`command, e.g. ${hints.background}`}
                value={command}
                onChange={(e) => setCommand(e.target.value)}
              />
              <input
                aria-label="Port"
                placeholder={hints.port}
                inputMode="numeric"
                value={port}
                onChange={(e) => setPort(e.target.value.replace(/\D/g, ""))}
                size={6}
              />
              <button className="btn btn-ghost btn-small" type="submit" disabled={starting || !command.trim()}>
                Run in background
              </button>
            </form>
          </div>
        )}
      </div>

      {selected && showOutput && (
        <pre className={`process-output${outputOnly ? " full" : ""}`} ref={outputRef} data-testid="process-output" aria-label="Process output" tabIndex={0}>
          {output.text ? <LinkifiedText text={output.text} handler={fileLinks} /> : running ? "Waiting for output…" : "No output."}
        </pre>
      )}
    </div>
  );
}
