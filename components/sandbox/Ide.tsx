"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { Group, Panel, Separator, usePanelRef } from "react-resizable-panels";
import { useTRPC } from "@/lib/trpc/client";
import { BinaryFileView } from "./BinaryFileView";
import { BottomPanel } from "./BottomPanel";
import { CodeEditor, preloadEditor } from "./CodeEditor";
import { commandHints } from "./command-hints";
import { useFileLinks } from "./file-links/use-file-links";
import type { FilePosition } from "./file-links/source-map-position";
import { isSvg } from "./file-view";
import { EditorTabs } from "./EditorTabs";
import { FileExplorer } from "./FileExplorer";
import { HelpDialog } from "./HelpDialog";
import { IDE_PANELS } from "./ide-panels";
import { NetworkPolicySelect } from "./NetworkPolicySelect";
import { SaveConflictDialog } from "./SaveConflictDialog";
import { useIdeShortcuts } from "./ide-shortcuts";
import { KeymapSetting, useEditorKeymap } from "./KeymapSetting";
import type { EditorReveal } from "./MonacoEditor";
import { PreviewPane } from "./preview/PreviewPane";
import type { IdeProject } from "./types";
import { useFileChangeFeed } from "./use-file-change-feed";
import { useOpenFiles } from "./use-open-files";
import { useProjectSources } from "./use-project-sources";
import { useTabMemory } from "./use-tab-memory";

/**
 * The project IDE: file explorer | (tabbed Monaco editor over the bottom panels) | preview, in
 * resizable panels. Sizes are pixels where a laptop needs them fixed (the explorer) and percentages
 * elsewhere. The preview sits beside the editor (a page needs width more than height); it starts
 * open for front-end templates (a dev server serving a page) and collapsed otherwise.
 */
export function Ide({ project, userId, userLabel, previewFirst = false }: { project: IdeProject; userId: number; userLabel?: string; previewFirst?: boolean }) {
  const trpc = useTRPC();
  const projectId = project.id;
  const templates = useQuery(trpc.templates.list.queryOptions());
  const files = useOpenFiles(projectId);
  useTabMemory(userId, projectId, files);
  const sources = useProjectSources(projectId);
  const keymap = useEditorKeymap();
  const openPaths = useMemo(() => new Set(files.tabs), [files.tabs]);
  const feed = useFileChangeFeed(projectId, (notice) => void files.changedElsewhere(notice.kind === "resync" ? "all" : notice));
  const [panelId, setPanelId] = useState(IDE_PANELS[0]?.id ?? "");
  const [helpOpen, setHelpOpen] = useState(false);
  const explorer = usePanelRef();
  const bottom = usePanelRef();
  const side = usePanelRef();
  const template = templates.data?.find((t) => t.id === project.templateType);
  const hints = commandHints(template?.commands ?? null, template?.image ?? null);
  // The preview starts open where there is a dev server to look at (the page knows from the
  // template, so the first paint has the right layout); the choice is the user's after that.
  const [previewOpen, setPreviewOpen] = useState(previewFirst);
  const [previewMounted, setPreviewMounted] = useState(previewFirst);
  const showPreview = (show: boolean) => {
    const handle = side.current;
    if (!handle) return;
    if (show) {
      setPreviewMounted(true);
      if (handle.isCollapsed()) handle.expand();
      // Never opened before: expand() has no size to go back to.
      if (handle.getSize().asPercentage < 20) handle.resize("42%");
    } else if (!handle.isCollapsed()) handle.collapse();
  };

  const toggle = (panel: typeof explorer) => {
    const handle = panel.current;
    if (!handle) return;
    if (handle.isCollapsed()) handle.expand();
    else handle.collapse();
  };
  const showPanel = (id: string) => {
    if (id === "preview") return showPreview(true);
    setPanelId(id);
    if (bottom.current?.isCollapsed()) bottom.current.expand();
  };

  useIdeShortcuts({
    save: () => void files.save(),
    toggleExplorer: () => toggle(explorer),
    toggleBottom: () => toggle(bottom),
    showPanel: (index) => {
      const panel = IDE_PANELS[index];
      if (panel) showPanel(panel.id);
      else if (index === IDE_PANELS.length) showPreview(!previewOpen);
    },
    closeTab: () => files.active && files.close(files.active),
    cycleTab: files.cycle,
    help: () => setHelpOpen(true),
  });

  // Monaco is megabytes of JavaScript whose evaluation blocks the page: it starts once the tree
  // has painted (what a person looks at first), still well before a first click can land.
  const treeLoaded = useQuery(trpc.files.tree.queryOptions({ projectId })).isFetched;
  useEffect(() => {
    if (!treeLoaded) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => (timer = setTimeout(preloadEditor, 0)));
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [treeLoaded]);

  useEffect(() => {
    if (!files.unsaved) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [files.unsaved]);

  const activeBuffer = files.active ? files.buffers[files.active] : undefined;
  // Asking for a file puts the cursor in it, even when it is the tab already shown.
  const [focusRequest, setFocusRequest] = useState(0);
  const openFile = (path: string) => {
    setFocusRequest((n) => n + 1);
    void files.open(path);
  };
  // A followed `file:line` link: open the file, then put the cursor on the line.
  const [reveal, setReveal] = useState<EditorReveal | null>(null);
  const openAt = (position: FilePosition) => {
    setSourceShown((shown) => new Set(shown).add(position.path));
    setReveal((r) => ({ ...position, request: (r?.request ?? 0) + 1 }));
    openFile(position.path);
  };
  const fileLinks = useFileLinks(projectId, openAt);
  // SVG files show as an image until "Edit source" asks for their text.
  const [sourceShown, setSourceShown] = useState<ReadonlySet<string>>(new Set());
  const imageView = files.active && activeBuffer && (activeBuffer.binary || (isSvg(files.active) && !sourceShown.has(files.active)));

  return (
    <div className="ide">
      <header className="topbar ide-top">
        <span>
          <Link href="/projects">Projects</Link> / <strong data-testid="project-name">{project.name}</strong>
          {project.createdByAi && <span className="badge">by {project.createdByAi}</span>}
        </span>
        <span className="ide-top-actions">
          {(feed.status === "connecting" || feed.status === "error") && (
            <span className="muted small" data-testid="feed-status" title="Changes made elsewhere (executions, AIs) appear once connected">
              {feed.status === "error" ? "file updates stopped: reload the page" : "connecting to file updates…"}
            </span>
          )}
          <NetworkPolicySelect projectId={projectId} />
          <KeymapSetting />
          <button
            className="btn btn-ghost btn-small"
            aria-pressed={previewOpen}
            data-testid="preview-toggle"
            onClick={() => showPreview(!previewOpen)}
            title={`Show or hide the preview beside the editor (Alt+${IDE_PANELS.length + 1})`}
          >
            Preview
          </button>
          <button className="btn btn-ghost btn-small" onClick={() => setHelpOpen(true)} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (? or F1)">
            ?
          </button>
          {userLabel && (
            <span className="muted small ide-user" data-testid="signed-in-as">
              {userLabel}
            </span>
          )}
        </span>
      </header>
      <Group orientation="horizontal" className="ide-body" id="ide-columns">
        <Panel id="explorer" panelRef={explorer} defaultSize="240px" minSize="160px" maxSize="45%" collapsible groupResizeBehavior="preserve-pixel-size">
          <FileExplorer projectId={projectId} active={files.active} onOpen={openFile} onRenamed={files.renamed} onDeleted={files.deleted} />
        </Panel>
        <Separator className="resize-handle vertical" />
        <Panel id="workbench" minSize="30%">
          <Group orientation="vertical" id="ide-rows">
            <Panel id="editor" minSize="15%">
              <section className="editor-area">
                <EditorTabs tabs={files.tabs} active={files.active} buffers={files.buffers} onSelect={files.setActive} onClose={files.close} />
                <div className="editor-host" data-testid="editor-host">
                  {files.active && activeBuffer && imageView ? (
                    <BinaryFileView
                      key={files.active}
                      projectId={projectId}
                      path={files.active}
                      svgText={activeBuffer.binary ? undefined : activeBuffer.content}
                      onEditSource={activeBuffer.binary ? undefined : () => files.active && setSourceShown((shown) => new Set(shown).add(files.active!))}
                    />
                  ) : files.active && activeBuffer ? (
                    <CodeEditor
                      projectId={projectId}
                      path={files.active}
                      value={activeBuffer.content}
                      revision={activeBuffer.revision}
                      readOnly={activeBuffer.readOnly}
                      keymap={keymap}
                      sources={sources}
                      openPaths={openPaths}
                      focusRequest={focusRequest}
                      onSave={(path, content) => void files.save({ path, content })}
                      onChange={files.edit}
                      reveal={reveal}
                    />
                  ) : (
                    <p className="muted pad">{files.loadingPath ? `Opening ${files.loadingPath}…` : "Open a file from the tree."}</p>
                  )}
                </div>
                <footer className="status-bar">
                  {files.loadingPath && activeBuffer ? (
                    <span className="muted" role="status">{`Opening ${files.loadingPath}…`}</span>
                  ) : files.status ? (
                    <span
                      className={files.status.kind === "error" ? "error" : "ok"}
                      role={files.status.kind === "error" ? "alert" : "status"}
                      data-testid="editor-message"
                    >
                      {files.status.text}
                    </span>
                  ) : (
                    <span className="muted">Ctrl/Cmd+S saves · ? shows the shortcuts</span>
                  )}
                </footer>
              </section>
            </Panel>
            <Separator className="resize-handle horizontal" />
            <Panel id="bottom" panelRef={bottom} defaultSize="38%" minSize="12%" collapsible>
              <BottomPanel
                panels={IDE_PANELS}
                activeId={panelId}
                onSelect={showPanel}
                project={project}
                runCommand={template?.commands.run ?? ""}
                openFile={openFile}
                showPanel={showPanel}
                fileLinks={fileLinks}
                hints={hints}
              />
            </Panel>
          </Group>
        </Panel>
        <Separator className="resize-handle vertical" />
        <Panel
          id="preview"
          panelRef={side}
          defaultSize={previewFirst ? "42%" : "0%"}
          minSize="280px"
          collapsible
          collapsedSize="0%"
          onResize={(size) => setPreviewOpen(size.inPixels > 0)}
        >
          {previewMounted && (
            <aside className="side-panel" aria-label="Preview" data-testid="side-panel">
              <PreviewPane project={project} active={previewOpen} fileLinks={fileLinks} hints={hints} onClose={() => showPreview(false)} />
            </aside>
          )}
        </Panel>
      </Group>
      <HelpDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
      <SaveConflictDialog conflict={files.conflict} onResolve={files.resolveConflict} />
    </div>
  );
}
