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
 * when the content is replaced from outside the editor (a reload), never while typing. `version` is
 * the stored version `saved` is (the base the next save names; null: the file does not exist).
 */
export type FileBuffer = {
  content: string;
  saved: string;
  readOnly: boolean;
  revision: number;
  version: string | null;
  /** Stored as bytes (base64): shown by BinaryFileView, never in the text editor. */
  binary?: boolean;
};

/** A save refused because the file changed elsewhere: the user compares, overwrites or reloads. */
export type SaveConflict = {
  path: string;
  /** What the user tried to save. */
  mine: string;
  /** What is stored now (null: the file was deleted), and its version (the base an overwrite names). */
  theirs: string | null;
  theirsVersion: string | null;
  /** Stored content that is not text cannot be compared or loaded into the editor. */
  theirsBinary: boolean;
};
