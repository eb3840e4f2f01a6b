// The shape of files as the durable store (WorkspaceStore) and the engine exchange them.

export type FileEncoding = "utf8" | "base64";

export interface WorkspaceFile {
  /** Relative to /workspace, "/"-separated, validated by checkWorkspacePath. */
  path: string;
  /** UTF-8 text, or base64 when `encoding` is "base64" (binary content). */
  content: string;
  encoding: FileEncoding;
  /** Size in bytes of the decoded content. */
  size: number;
  executable?: boolean;
}

export type RefusedReason = "invalid-path" | "non-utf8-name" | "symlink" | "hardlink" | "special-file" | "too-large" | "binary" | "project-size";

export interface RefusedFile {
  path: string;
  reason: RefusedReason;
  detail?: string;
}

/** What one execution changed in /workspace, to be applied to the durable store. */
export interface WorkspaceChanges {
  upserted: WorkspaceFile[];
  deleted: string[];
  /** Files the program produced that were not stored, with why (never silently dropped). */
  refused: RefusedFile[];
}

/**
 * The durable copy of a project's files (the lead implements it over Prisma).
 * The engine loads it into every fresh container and applies each execution's changes.
 */
export interface WorkspaceStore {
  loadFiles(projectId: string): Promise<WorkspaceFile[]>;
  applyChanges(projectId: string, changes: WorkspaceChanges): Promise<void>;
}

export function decodeFileContent(file: Pick<WorkspaceFile, "content" | "encoding">): Buffer {
  return Buffer.from(file.content, file.encoding === "base64" ? "base64" : "utf8");
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }); // keep a BOM: round trips must be byte-exact;

/**
 * Text when it is valid UTF-8 without NUL bytes; otherwise base64 (or null when binaries are refused),
 * so a round trip through the store is byte-exact.
 */
export function encodeFileContent(data: Buffer, binaryPolicy: "base64" | "refuse"): { content: string; encoding: FileEncoding } | null {
  if (!data.includes(0)) {
    try {
      return { content: strictUtf8.decode(data), encoding: "utf8" };
    } catch {
      // not UTF-8: fall through to binary handling
    }
  }
  return binaryPolicy === "base64" ? { content: data.toString("base64"), encoding: "base64" } : null;
}
