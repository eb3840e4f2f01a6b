import type { AgentConnection } from "./agent/agent-connection";
import { AgentCallError } from "./agent/agent-errors";
import { checkEntry, type CheckedEntry } from "./agent/agent-events";
import { encodeWorkspacePath } from "./agent/agent-paths";
import { FileType } from "./agent/gen/pantheon/agent/v1/agent_pb";
import type { ManifestEntry } from "./workspace-manifest";
import { encodeFileContent, type RefusedFile, type WorkspaceFile } from "./workspace-files";

// Reading what an execution wrote through the agent (it runs the file operations as the sandbox
// user, beneath /workspace, and refuses what resolves outside). Calls run a few at a time on the
// agent's one connection (HTTP/2 streams), never one docker exec per file.

const PARALLEL = 16;

async function eachLimited<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
}

const TYPE_LETTER: Record<FileType, string> = {
  [FileType.UNSPECIFIED]: "p",
  [FileType.FILE]: "f",
  [FileType.DIRECTORY]: "d",
  [FileType.SYMLINK]: "l",
  [FileType.OTHER]: "p",
};

/** Each path's entry now (null: it does not exist), as a manifest entry. */
export async function statThroughAgent(agent: AgentConnection, paths: readonly string[]): Promise<Map<string, ManifestEntry | null>> {
  const out = new Map<string, ManifestEntry | null>();
  await eachLimited(paths, async (path) => {
    const { entry } = await agent.files.stat({ path: encodeWorkspacePath(path) });
    const checked = entry ? checkEntry(entry) : null;
    if (!checked) return void out.set(path, null);
    // A name the host does not accept (it should be the name asked for): refused as special.
    if (!checked.ok) return void out.set(path, { type: "p", size: 0, mtime: "0", links: 1 });
    out.set(path, manifestEntryOf(checked.entry));
  });
  return out;
}

/** An agent's entry (Stat, List) as a manifest entry. */
export function manifestEntryOf(entry: CheckedEntry): ManifestEntry {
  // mtime in ns, as text: any change of it reads as a change (the manifest compares strings).
  return { type: TYPE_LETTER[entry.type] ?? "p", size: entry.size, mtime: String(entry.mtimeNs), links: 1 };
}

export interface ReadFiles {
  files: WorkspaceFile[];
  refused: RefusedFile[];
  /** Paths that vanished between the stat and the read: deleted. */
  gone: string[];
}

/** Reads regular files whole (each at most maxFileSize); binaries per policy. */
export async function readThroughAgent(
  agent: AgentConnection,
  paths: readonly string[],
  maxFileSize: number,
  binaryFiles: "base64" | "refuse",
): Promise<ReadFiles> {
  const out: ReadFiles = { files: [], refused: [], gone: [] };
  await eachLimited(paths, async (path) => {
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    let mode = 0o644;
    let type: FileType = FileType.FILE;
    try {
      for await (const part of agent.files.read({ path: encodeWorkspacePath(path), maxBytes: BigInt(maxFileSize) })) {
        if (part.entry) {
          mode = part.entry.mode;
          type = part.entry.type;
        }
        bytes += part.data.length;
        // The agent was told the cap: more is a lie, never buffered.
        if (bytes > maxFileSize) return void out.refused.push({ path, reason: "too-large", detail: `more than ${maxFileSize} bytes` });
        chunks.push(part.data);
      }
    } catch (err) {
      if (err instanceof AgentCallError && err.rpcCode === "not_found") return void out.gone.push(path);
      if (err instanceof AgentCallError && err.rpcCode === "failed_precondition")
        return void out.refused.push({ path, reason: "too-large", detail: `more than ${maxFileSize} bytes` });
      throw err;
    }
    if (type !== FileType.FILE) return void out.refused.push({ path, reason: type === FileType.SYMLINK ? "symlink" : "special-file" });
    const data = Buffer.concat(chunks);
    const encoded = encodeFileContent(data, binaryFiles);
    if (!encoded) return void out.refused.push({ path, reason: "binary" });
    out.files.push({ path, ...encoded, size: data.length, executable: (mode & 0o111) !== 0 });
  });
  out.files.sort((a, b) => a.path.localeCompare(b.path));
  return out;
}
