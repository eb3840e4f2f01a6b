export type IdeProject = { id: number; name: string; templateType: string | null; createdByAi: string | null };

/** One open file: what the editor shows and what the server last confirmed. */
export type FileBuffer = { content: string; saved: string; readOnly: boolean };
