"use client";

import type { ComponentType } from "react";
import { OutputTerminal } from "./terminal/OutputTerminal";
import { ShellTerminal } from "./terminal/ShellTerminal";
import { ExecutionsPanel } from "./ExecutionsPanel";
import { HistoryPanel } from "./HistoryPanel";
import { MetricsPanel } from "./MetricsPanel";
import type { IdeProject } from "./types";
import type { FileLinkHandler } from "./file-links/xterm-file-links";
import type { commandHints } from "./command-hints";

/** What every bottom-panel tab receives from the IDE. */
export type IdePanelProps = {
  project: IdeProject;
  /** True while this tab is the one shown (e.g. an xterm fits itself when it becomes visible). */
  active: boolean;
  /** The template's run command ("" for an empty project), for panels that start executions. */
  runCommand: string;
  /** Opens a project file in the editor. */
  openFile: (path: string) => void;
  /** Brings another bottom tab to the front (e.g. the Preview after a run moved to the background). */
  showPanel: (id: string) => void;
  /** `file:line` references in output open the file at the line. */
  fileLinks: FileLinkHandler;
  /** Example commands that fit the project's template. */
  hints: ReturnType<typeof commandHints>;
};

export type IdePanel = { id: string; label: string; Component: ComponentType<IdePanelProps> };

const RunOutput = ({ project, runCommand, active, showPanel, fileLinks, hints }: IdePanelProps) => (
  <OutputTerminal
    projectId={project.id}
    defaultCommand={runCommand}
    active={active}
    timeoutSeconds={project.runTimeoutSeconds}
    showPreview={() => showPanel("preview")}
    placeholder={`e.g. ${hints.command}`}
    fileLinks={fileLinks}
  />
);

const Shell = ({ project, active, fileLinks }: IdePanelProps) => <ShellTerminal projectId={project.id} active={active} fileLinks={fileLinks} />;

/**
 * The tabs of the IDE's bottom panel, in order; Alt+1…Alt+9 select them (the preview, beside the
 * editor, comes after them). Add a panel by adding an entry here. A tab is mounted the first time it is shown and then kept mounted while hidden, so
 * streams, shells and terminals survive switching tabs.
 */
export const IDE_PANELS: IdePanel[] = [
  { id: "terminal", label: "Terminal", Component: RunOutput },
  { id: "shell", label: "Shell", Component: Shell },
  { id: "executions", label: "Executions", Component: ExecutionsPanel },
  { id: "metrics", label: "Metrics", Component: MetricsPanel },
  { id: "history", label: "History", Component: HistoryPanel },
];
