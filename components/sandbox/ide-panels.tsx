"use client";

import { OutputTerminal } from "./terminal/OutputTerminal";
import { ShellTerminal } from "./terminal/ShellTerminal";
import { ExecutionsPanel } from "./ExecutionsPanel";
import { HistoryPanel } from "./HistoryPanel";
import { MetricsPanel } from "./MetricsPanel";
import type { IdePanel, IdePanelProps } from "./ide-panel-props";

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
