import { Readable } from "node:stream";
import * as tar from "tar-stream";
import { checkStoredPath, isEscapedPath } from "./byte-names";
import { checkWorkspacePath, PathRejectedError } from "./workspace-path";
import { decodeFileContent, encodeFileContent, type RefusedFile, type WorkspaceFile } from "./workspace-files";

// Tar is only a transport between the host and `tar` running as the sandbox user inside the
// container: the host builds archives in memory and parses them with tar-stream, and never
// extracts anything onto its own filesystem.

export interface PackLimits {
  maxFileSize: number;
  maxProjectSize: number;
}

export interface CheckedWorkspaceFile {
  path: string;
  data: Buffer;
  executable: boolean;
}

/** Validates every entry (path, duplicates, sizes, a file under a file); throws PathRejectedError. */
export function checkWorkspaceFiles(files: readonly WorkspaceFile[], limits: PackLimits): CheckedWorkspaceFile[] {
  const seen = new Set<string>();
  const entries: CheckedWorkspaceFile[] = [];
  let total = 0;
  for (const file of files) {
    // Escaped paths (names that are not UTF-8) are loaded through the agent's byte paths.
    const check = checkStoredPath(file.path);
    if (!check.ok) throw new PathRejectedError(file.path, check.reason);
    if (seen.has(file.path)) throw new PathRejectedError(file.path, "duplicate path");
    seen.add(file.path);
    const data = decodeFileContent(file);
    if (data.length > limits.maxFileSize) throw new PathRejectedError(file.path, `file larger than ${limits.maxFileSize} bytes`);
    total += data.length;
    if (total > limits.maxProjectSize) throw new PathRejectedError(file.path, `project larger than ${limits.maxProjectSize} bytes`);
    entries.push({ path: file.path, data, executable: file.executable === true });
  }
  for (const path of seen) {
    // "a" as a file and "a/b" cannot both exist; tar would fail half-way.
    const segments = path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join("/");
      if (seen.has(parent)) throw new PathRejectedError(path, `parent ${parent} is a file`);
    }
  }
  return entries;
}

/** Validates every entry first, so a bad file means nothing at all is sent to Docker. */
export async function packWorkspaceFiles(files: readonly WorkspaceFile[], limits: PackLimits): Promise<Buffer> {
  const entries = checkWorkspaceFiles(files, limits);
  // tar-stream writes names as UTF-8 text: an escaped path would arrive as a literal backslash.
  const escaped = entries.find((e) => isEscapedPath(e.path));
  if (escaped) throw new PathRejectedError(escaped.path, "a name that is not UTF-8 is loaded through the agent only");

  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const entry of entries) {
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        { name: entry.path, type: "file", size: entry.data.length, mode: entry.executable ? 0o755 : 0o644, uid: 1000, gid: 1000, mtime: new Date() },
        entry.data,
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export interface UnpackOptions {
  /** Names we asked tar for; anything else in the archive is refused. */
  wanted: ReadonlySet<string>;
  maxFileSize: number;
  binaryFiles: "base64" | "refuse";
}

const refusalByType: Record<string, RefusedFile["reason"]> = {
  symlink: "symlink",
  link: "hardlink",
};

/** Parses an archive produced by `tar -c` inside the container; never follows or writes anything. */
export async function unpackWorkspaceFiles(
  source: AsyncIterable<Buffer> | Buffer,
  options: UnpackOptions,
): Promise<{ files: WorkspaceFile[]; refused: RefusedFile[] }> {
  const extract = tar.extract();
  const input = Buffer.isBuffer(source) ? Readable.from([source]) : Readable.from(source);
  input.on("error", (err) => extract.destroy(err));
  input.pipe(extract);
  const files: WorkspaceFile[] = [];
  const refused: RefusedFile[] = [];
  for await (const entry of extract) {
    const { name, type, size = 0, mode = 0o644 } = entry.header;
    const refuse = (reason: RefusedFile["reason"], detail?: string) => {
      refused.push(detail === undefined ? { path: name, reason } : { path: name, reason, detail });
      entry.resume();
    };
    if (type !== "file") {
      refuse(refusalByType[type ?? ""] ?? "special-file", type ?? undefined);
      continue;
    }
    const check = checkWorkspacePath(name);
    if (!check.ok || !options.wanted.has(name)) {
      refuse("invalid-path", check.ok ? "not requested" : check.reason);
      continue;
    }
    if (size > options.maxFileSize) {
      refuse("too-large", `${size} bytes > ${options.maxFileSize}`);
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const data = Buffer.concat(chunks);
    const encoded = encodeFileContent(data, options.binaryFiles);
    if (!encoded) {
      refused.push({ path: name, reason: "binary" });
      continue;
    }
    files.push({ path: name, ...encoded, size: data.length, executable: (mode & 0o111) !== 0 });
  }
  return { files, refused };
}
