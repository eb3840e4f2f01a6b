import type { Logger } from "pino";
import type { EngineConfig } from "./config";
import { bashArgs, FINISH_SCRIPT, LIST_SCRIPT, LOAD_SCRIPT, WRITE_SCRIPT, SANDBOX_USER, splitLoadOutput, WORKSPACE_DIR } from "./container-scripts";
import type { SandboxDriver } from "./driver";
import { lostError } from "./deadline";
import { SandboxError } from "./errors";
import { diffManifests, manifestFindArgs, parseManifest, type Manifest } from "./workspace-manifest";
import { PathRejectedError } from "./workspace-path";
import { packWorkspaceFiles, unpackWorkspaceFiles } from "./workspace-tar";
import type { WorkspaceChanges, WorkspaceFile } from "./workspace-files";

type SyncConfig = Pick<EngineConfig, "maxFileSize" | "maxProjectSize" | "binaryFiles" | "syncIgnore">;

/** A caller's deadline (deadline.ts) or a lost container ended the command: say so, not "exit null". */
function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw lostError(signal);
}

/** A manifest of a workspace with up to this many bytes of `find` output; beyond it sync fails loudly. */
const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

/**
 * Moves files between the durable store and a container's /workspace, always through `tar` run
 * as the sandbox user over exec stdin/stdout: the host never writes, reads or extracts a path
 * inside the container, and Docker's putArchive/getArchive (which run as root) are never used.
 */
export class WorkspaceSync {
  constructor(
    private readonly driver: SandboxDriver,
    private readonly config: SyncConfig,
    private readonly log: Logger,
  ) {}

  /** Validates and packs first, so bad input is refused before Docker is touched. */
  async pack(files: readonly WorkspaceFile[]): Promise<Buffer> {
    try {
      return await packWorkspaceFiles(files, this.config);
    } catch (err) {
      if (err instanceof PathRejectedError) throw new SandboxError("BAD_REQUEST", err.message, { cause: err });
      throw err;
    }
  }

  /** Loads a fresh container's workspace; returns the keeper pids and the baseline manifest. */
  async load(containerId: string, archive: Buffer, signal?: AbortSignal): Promise<{ keepers: string; manifest: Manifest }> {
    const { stdout, stderr, exitCode } = await this.capture(
      containerId,
      bashArgs(LOAD_SCRIPT, "pantheon-load", manifestFindArgs(this.config.syncIgnore)),
      archive,
      signal,
    );
    if (exitCode !== 0) throw new SandboxError("SYNC_FAILED", `loading files into the sandbox failed (exit ${exitCode}): ${stderr.trim().slice(0, 500)}`);
    // No marker means the stream was cut: an empty keeper list would let the sweep kill the keeper.
    if (!stdout.startsWith("K")) throw new SandboxError("SYNC_FAILED", "loading files into the sandbox returned no output");
    const { keepers, manifest } = splitLoadOutput(stdout);
    if (keepers === "") throw new SandboxError("SYNC_FAILED", "the container's idle keeper process did not appear");
    this.log.debug({ containerId, bytes: archive.length, keepers }, "workspace loaded");
    return { keepers, manifest: parseManifest(Buffer.from(manifest, "latin1")) };
  }

  /** Writes edited files and removes deleted ones in a live workspace; returns the new manifest. */
  async write(containerId: string, archive: Buffer, deleted: readonly string[], signal?: AbortSignal): Promise<Manifest> {
    const args = [String(deleted.length), ...deleted, ...manifestFindArgs(this.config.syncIgnore)];
    const { stdout, stderr, exitCode } = await this.capture(containerId, bashArgs(WRITE_SCRIPT, "pantheon-write", args), archive, signal);
    if (exitCode !== 0) throw new SandboxError("SYNC_FAILED", `writing files into the sandbox failed (exit ${exitCode}): ${stderr.trim().slice(0, 500)}`);
    return parseManifest(Buffer.from(stdout, "latin1"));
  }

  /** Kills every leftover process, then lists /workspace. */
  async finish(containerId: string, keepers: string, signal?: AbortSignal): Promise<{ manifest: Manifest; warning: string | null }> {
    const { stdout, stderr, exitCode } = await this.capture(
      containerId,
      bashArgs(FINISH_SCRIPT, "pantheon-finish", [keepers, ...manifestFindArgs(this.config.syncIgnore)]),
      undefined,
      signal,
    );
    // find exits 1 when some entry vanished or is unreadable; the manifest is still usable.
    if (exitCode !== 0 && exitCode !== 1)
      throw new SandboxError("SYNC_FAILED", `listing the workspace failed (exit ${exitCode}): ${stderr.trim().slice(0, 500)}`);
    return { manifest: parseManifest(Buffer.from(stdout, "latin1")), warning: stderr.trim() ? stderr.trim().slice(0, 500) : null };
  }

  /** Lists /workspace, leaving every process alone (syncs while a shell or dev server runs). */
  async list(containerId: string, signal?: AbortSignal): Promise<Manifest> {
    const { stdout, stderr, exitCode } = await this.capture(
      containerId,
      bashArgs(LIST_SCRIPT, "pantheon-list", manifestFindArgs(this.config.syncIgnore)),
      undefined,
      signal,
    );
    if (exitCode !== 0 && exitCode !== 1)
      throw new SandboxError("SYNC_FAILED", `listing the workspace failed (exit ${exitCode}): ${stderr.trim().slice(0, 500)}`);
    return parseManifest(Buffer.from(stdout, "latin1"));
  }

  /** Files created, changed or deleted between two manifests, with content pulled back by tar. */
  async collect(containerId: string, before: Manifest, after: Manifest, signal?: AbortSignal): Promise<WorkspaceChanges> {
    const diff = diffManifests(before, after, {
      maxFileSize: this.config.maxFileSize,
      maxProjectSize: this.config.maxProjectSize,
      ignore: this.config.syncIgnore,
    });
    const changes: WorkspaceChanges = { upserted: [], deleted: diff.deleted, refused: diff.refused };
    if (diff.changed.length === 0) return changes;

    const chunks: Buffer[] = [];
    let bytes = 0;
    const limit = diff.changed.reduce((sum, p) => sum + (after.get(p)?.size ?? 0), 0) + 1024 * (diff.changed.length + 4) + 64 * 1024;
    const abort = new AbortController();
    let stderr = "";
    const { exitCode } = await this.driver.exec(containerId, {
      // --no-recursion: a path that turned into a directory is not walked; tar stores symlinks as
      // symlinks (never follows them), and the parser below refuses anything but regular files.
      cmd: ["tar", "-c", "-f", "-", "--no-recursion", "--null", "--verbatim-files-from", "-T", "-"],
      user: SANDBOX_USER,
      workdir: WORKSPACE_DIR,
      stdin: Buffer.from(diff.changed.map((p) => `${p}\0`).join("")),
      signal: signal ? AbortSignal.any([abort.signal, signal]) : abort.signal,
      onOutput: (stream, data) => {
        if (stream === "stderr") {
          if (stderr.length < 4096) stderr += data.toString("utf8");
          return;
        }
        bytes += data.length;
        if (bytes > limit) abort.abort();
        else chunks.push(data);
      },
    });
    throwIfAborted(signal);
    if (abort.signal.aborted) throw new SandboxError("SYNC_FAILED", "files grew while being collected; sync aborted");
    // tar exits 2 when a listed file disappeared; the archive still holds the rest.
    if (exitCode !== 0 && exitCode !== 2 && exitCode !== 1)
      throw new SandboxError("SYNC_FAILED", `collecting files failed (exit ${exitCode}): ${stderr.trim().slice(0, 500)}`);
    const { files, refused } = await unpackWorkspaceFiles(Buffer.concat(chunks), {
      wanted: new Set(diff.changed),
      maxFileSize: this.config.maxFileSize,
      binaryFiles: this.config.binaryFiles,
    });
    changes.upserted = files;
    changes.refused.push(...refused);
    if (stderr.trim()) this.log.warn({ containerId, stderr: JSON.stringify(stderr.slice(0, 500)) }, "tar reported problems while collecting files");
    return changes;
  }

  /**
   * Runs a command and collects its output in memory (bounded: used only for engine scripts).
   * stdout comes back as latin1, one char per byte: file names that are not UTF-8 survive for
   * parseManifest to report, instead of turning into U+FFFD (which names no file).
   */
  private async capture(
    containerId: string,
    cmd: string[],
    stdin?: Buffer,
    signal?: AbortSignal,
  ): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    const abort = new AbortController();
    const { exitCode } = await this.driver.exec(containerId, {
      cmd,
      user: SANDBOX_USER,
      workdir: WORKSPACE_DIR,
      ...(stdin ? { stdin } : {}),
      signal: signal ? AbortSignal.any([abort.signal, signal]) : abort.signal,
      onOutput: (stream, data) => {
        bytes += data.length;
        if (bytes > MAX_MANIFEST_BYTES) abort.abort();
        else (stream === "stdout" ? out : err).push(data);
      },
    });
    throwIfAborted(signal);
    if (abort.signal.aborted) throw new SandboxError("SYNC_FAILED", "workspace listing exceeded its size limit");
    return { stdout: Buffer.concat(out).toString("latin1"), stderr: Buffer.concat(err).toString("utf8"), exitCode };
  }
}
