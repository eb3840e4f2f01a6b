export type { EditorKeymap } from "@/lib/editor-keymaps";

export type IdeProject = { id: number; name: string; templateType: string | null; createdByAi: string | null };

/**
 * One open file: what the editor shows and what the server last confirmed. `revision` changes only
 * when the content is replaced from outside the editor (a reload), never while typing.
 */
export type FileBuffer = { content: string; saved: string; readOnly: boolean; revision: number };
