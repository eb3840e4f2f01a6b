export type { EditorKeymap } from "@/lib/editor-keymaps";

export type IdeProject = {
  id: number;
  name: string;
  templateType: string | null;
  createdByAi: string | null;
  /** A run's time limit (SANDBOX_DEFAULT_TIMEOUT), stated where runs start. */
  runTimeoutSeconds: number;
};

/**
 * One open file: what the editor shows and what the server last confirmed. `revision` changes only
 * when the content is replaced from outside the editor (a reload), never while typing.
 */
export type FileBuffer = { content: string; saved: string; readOnly: boolean; revision: number };
