"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { CodeEditor } from "./CodeEditor";
import { EditorTabs } from "./EditorTabs";
import { FileExplorer } from "./FileExplorer";
import { RunPanel } from "./RunPanel";
import type { FileBuffer, IdeProject } from "./types";

const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

/** The project IDE: file tree, tabbed Monaco editor, and a run panel streaming output. */
export function Ide({ project }: { project: IdeProject }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const projectId = project.id;
  const templates = useQuery(trpc.templates.list.queryOptions());
  const [tabs, setTabs] = useState<string[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const [buffers, setBuffers] = useState<Record<string, FileBuffer>>({});
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string } | null>(null);
  const [loadingPath, setLoadingPath] = useState<string | null>(null);
  const write = useMutation(trpc.files.write.mutationOptions());

  const openFile = useCallback(
    async (path: string) => {
      setTabs((prev) => (prev.includes(path) ? prev : [...prev, path]));
      setActive(path);
      if (buffers[path]) return;
      setLoadingPath(path);
      try {
        const file = await queryClient.fetchQuery({ ...trpc.files.read.queryOptions({ projectId, path }), staleTime: 0 });
        const binary = file.encoding !== "utf8" || file.content === null;
        const content = binary ? "// Binary file: not editable here." : (file.content ?? "");
        setBuffers((prev) => ({ ...prev, [path]: { content, saved: content, readOnly: binary } }));
      } catch (e) {
        setMessage({ kind: "error", text: `Opening ${path} failed: ${e instanceof Error ? e.message : "unknown error"}` });
        setTabs((prev) => prev.filter((t) => t !== path));
      } finally {
        setLoadingPath(null);
      }
    },
    [buffers, projectId, queryClient, trpc],
  );

  const save = useCallback(async () => {
    if (!active) return;
    const buffer = buffers[active];
    if (!buffer || buffer.readOnly) return;
    const content = buffer.content;
    try {
      await write.mutateAsync({ projectId, path: active, content });
      setBuffers((prev) => {
        const current = prev[active];
        return current ? { ...prev, [active]: { ...current, saved: content } } : prev;
      });
      setMessage({ kind: "ok", text: `Saved ${active}` });
      void queryClient.invalidateQueries({ queryKey: trpc.files.tree.queryKey({ projectId }) });
    } catch (e) {
      setMessage({ kind: "error", text: `Saving ${active} failed: ${e instanceof Error ? e.message : "unknown error"}` });
    }
  }, [active, buffers, projectId, queryClient, trpc, write]);

  const closeTab = (path: string) => {
    const buffer = buffers[path];
    if (buffer && buffer.content !== buffer.saved && !window.confirm(`${path} has unsaved changes. Close anyway?`)) return;
    const remaining = tabs.filter((t) => t !== path);
    setTabs(remaining);
    setBuffers((prev) => Object.fromEntries(Object.entries(prev).filter(([p]) => p !== path)));
    if (active === path) setActive(remaining.at(-1) ?? null);
  };

  const onRenamed = (from: string, to: string) => {
    const rename = (p: string) => (under(p, from) ? to + p.slice(from.length) : p);
    setTabs((prev) => prev.map(rename));
    setBuffers((prev) => Object.fromEntries(Object.entries(prev).map(([p, b]) => [rename(p), b])));
    setActive((prev) => (prev ? rename(prev) : prev));
  };
  const onDeleted = (path: string) => {
    const remaining = tabs.filter((t) => !under(t, path));
    setTabs(remaining);
    setBuffers((prev) => Object.fromEntries(Object.entries(prev).filter(([p]) => !under(p, path))));
    if (active && under(active, path)) setActive(remaining.at(-1) ?? null);
  };

  const unsaved = Object.values(buffers).some((b) => b.content !== b.saved);
  useEffect(() => {
    if (!unsaved) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [unsaved]);

  const template = templates.data?.find((t) => t.id === project.templateType);
  const activeBuffer = active ? buffers[active] : undefined;

  return (
    <div className="ide">
      <header className="topbar ide-top">
        <span>
          <Link href="/projects">Projects</Link> / <strong data-testid="project-name">{project.name}</strong>
          {project.createdByAi && <span className="badge">by {project.createdByAi}</span>}
        </span>
        <span className="muted">Ctrl/Cmd+S saves</span>
      </header>
      <FileExplorer projectId={projectId} active={active} onOpen={(p) => void openFile(p)} onRenamed={onRenamed} onDeleted={onDeleted} />
      <section className="editor-area">
        <EditorTabs tabs={tabs} active={active} buffers={buffers} onSelect={setActive} onClose={closeTab} />
        {message && (
          <p
            className={`${message.kind === "error" ? "error" : "ok"} notice`}
            role={message.kind === "error" ? "alert" : "status"}
            data-testid="editor-message"
          >
            {message.text}
          </p>
        )}
        <div className="editor-host" data-testid="editor-host">
          {active && activeBuffer ? (
            <CodeEditor
              path={active}
              value={activeBuffer.content}
              readOnly={activeBuffer.readOnly}
              onSave={() => void save()}
              onChange={(content) => setBuffers((prev) => (prev[active] ? { ...prev, [active]: { ...prev[active], content } } : prev))}
            />
          ) : (
            <p className="muted pad">{loadingPath ? `Opening ${loadingPath}…` : "Open a file from the tree."}</p>
          )}
        </div>
      </section>
      <RunPanel projectId={projectId} defaultCommand={template?.commands.run ?? ""} />
    </div>
  );
}
