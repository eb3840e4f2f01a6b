import type { ComponentType } from "react";
import type { commandHints } from "./command-hints";
import type { FileLinkHandler } from "./file-links/xterm-file-links";
import type { IdeProject } from "./types";

// Apart from ide-panels.tsx (the list of tabs, which imports every panel) so that a panel can name
// its props without importing the list that imports it.

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
