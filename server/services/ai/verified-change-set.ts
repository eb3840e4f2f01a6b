import type { AiCommandSettings } from "./ai-command-settings";
import type { Actor } from "@/server/auth/actor";
import { AppError } from "@/server/errors/app-error";
import { checkpointRepository } from "@/server/repositories/checkpoint-repository";
import { fileRepository } from "@/server/repositories/file-repository";
import { returnFilesTo } from "@/server/services/checkpoints/checkpoint-service";
import { type FileSnapshot, snapshotOf } from "@/server/services/checkpoints/file-state";
import { applyFileChanges, type FileChangeSet } from "@/server/services/files/apply-file-changes";
import { changeAuthorOf } from "@/server/services/files/file-service";
import { assertFilePath, isUnder } from "@/server/services/files/file-path";
import { requireProject } from "@/server/services/projects/project-access";
import { getTemplate } from "@/server/templates/templates";
import { type ExecutionWithDiagnostics, runAndWait } from "./run-and-wait";

export type ChangeOperation =
  | { op: "write"; path: string; content: string; encoding?: "utf8" | "base64"; executable?: boolean; baseVersion?: string | null }
  | { op: "delete"; path: string }
  | { op: "move"; from: string; to: string };

export interface VerifiedChangeSetRequest {
  kind: "refactor" | "feature";
  description: string;
  changes: ChangeOperation[];
  /** Defaults to the template's test command. */
  verify?: string;
  timeoutSeconds?: number;
}

// One change set at a time per project in this process: a second one's snapshot must not be
// taken while the first may still roll back underneath it.
const inFlight = new Map<number, Promise<unknown>>();

async function serialised<T>(projectId: number, work: () => Promise<T>): Promise<T> {
  const previous = inFlight.get(projectId) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(work);
  inFlight.set(projectId, mine);
  try {
    return await mine;
  } finally {
    if (inFlight.get(projectId) === mine) inFlight.delete(projectId);
  }
}

/** The operations as one set of writes and deletes against the current files; any path named twice is refused. */
export function expandOperations(changes: ChangeOperation[], files: Map<string, FileSnapshot>): FileChangeSet {
  const named = new Set<string>();
  const claim = (raw: string) => {
    const path = assertFilePath(raw);
    for (const other of named) {
      if (other === path || isUnder(other, path) || isUnder(path, other))
        throw new AppError("BAD_REQUEST", `${path} appears twice in one change set (with ${other}); name each path once`);
    }
    named.add(path);
    return path;
  };
  const under = (path: string) => [...files.keys()].filter((f) => isUnder(f, path));
  const set: FileChangeSet = { writes: [], deletes: [] };
  for (const change of changes) {
    if (change.op === "write") {
      // The base version makes the whole set refused (CONFLICT, nothing written, nothing run) when
      // the file changed since the AI read it, as any other write.
      set.writes.push({
        path: claim(change.path),
        content: change.content,
        encoding: change.encoding,
        isExecutable: change.executable,
        baseVersion: change.baseVersion,
      });
    } else if (change.op === "delete") {
      const path = claim(change.path);
      const doomed = under(path);
      if (!doomed.length) throw new AppError("NOT_FOUND", `cannot delete ${path}: no such file or folder`);
      set.deletes.push(...doomed);
    } else {
      const from = claim(change.from);
      const to = claim(change.to);
      const moving = under(from);
      if (!moving.length) throw new AppError("NOT_FOUND", `cannot move ${from}: no such file or folder`);
      const clash = [...files.keys()].find((f) => isUnder(f, to) || isUnder(to, f));
      if (clash) throw new AppError("CONFLICT", `cannot move ${from} to ${to}: ${clash} exists`);
      for (const path of moving) {
        const file = files.get(path) as FileSnapshot;
        set.writes.push({ path: to + path.slice(from.length), content: file.content, encoding: file.encoding, isExecutable: file.executable });
        set.deletes.push(path);
      }
    }
  }
  return set;
}

function verificationOf(execution: ExecutionWithDiagnostics) {
  return {
    executionId: execution.id,
    status: execution.status,
    exitCode: execution.exitCode,
    output: execution.output ?? "",
    errorOutput: execution.errorOutput ?? "",
    diagnostics: execution.diagnostics,
  };
}

/**
 * refactor_code / add_feature: applies the change set atomically (one transaction, one
 * checkpoint), runs the verification through the ordinary execution path, and, if it does not
 * succeed (failure, timeout, or an error starting it), returns every file of the project to its
 * exact state before: content, encoding and execute bit, in the store and the live container,
 * including files the verification itself left behind, but not files someone else saved while it
 * ran (those keep their saved version). The rollback is a checkpoint too.
 */
export async function applyVerifiedChangeSet(actor: Actor, projectId: number, request: VerifiedChangeSetRequest, settings: AiCommandSettings) {
  const { user, ai } = actor;
  const project = await requireProject(user, projectId, "write");
  const template = project.templateType ? getTemplate(project.templateType) : null;
  const command = request.verify ?? template?.commands.test;
  if (!command) throw new AppError("BAD_REQUEST", `project ${projectId} has no template, so no default test command; pass verify`);
  const timeoutMs = request.timeoutSeconds === undefined ? undefined : request.timeoutSeconds * 1000;

  return serialised(projectId, async () => {
    // Saves by anyone else (the IDE, the API, another AI) are checkpoints; the verification's own
    // file changes are not. What the history records after this mark is someone else's work.
    const mark = await checkpointRepository.latestId(projectId);
    const before = new Map((await fileRepository.listWithContent(projectId)).map((f) => [f.filePath, snapshotOf(f)]));
    const set = expandOperations(request.changes, before);
    const applied = await applyFileChanges(projectId, set, ai, settings, changeAuthorOf(actor, { source: request.kind, description: request.description }));

    const rollBack = async (why: string) => {
      const after = await fileRepository.listMeta(projectId);
      const target = new Map<string, FileSnapshot | null>(before);
      for (const f of after) if (!before.has(f.filePath)) target.set(f.filePath, null);
      // A file someone saved while the verification ran keeps their version: rolling it back would
      // silently undo a person's save (issue 19 point 4: no lost edits).
      const savedMeanwhile = [...(await checkpointRepository.pathsChangedSince(projectId, mark, applied.checkpointId))].sort();
      for (const path of savedMeanwhile) target.delete(path);
      const kept = savedMeanwhile.length
        ? `; kept ${savedMeanwhile.slice(0, 5).join(", ")}${savedMeanwhile.length > 5 ? ` and ${savedMeanwhile.length - 5} more` : ""}, saved meanwhile`
        : "";
      const description = `roll back "${request.description}": ${why}${kept}`.slice(0, 500);
      return returnFilesTo(projectId, target, ai, changeAuthorOf(actor, { source: "rollback", description }), settings);
    };

    let execution: ExecutionWithDiagnostics;
    try {
      execution = await runAndWait(actor, projectId, { kind: "command", command, type: "test", timeoutMs, image: template?.image }, settings);
    } catch (err) {
      await rollBack("the verification could not run");
      throw err;
    }
    const passed = execution.status === "success";
    const rollback = passed ? null : await rollBack(`verification ${execution.status}${execution.exitCode === null ? "" : ` (exit ${execution.exitCode})`}`);
    return {
      applied: passed,
      rolledBack: !passed,
      written: applied.written,
      deleted: applied.deleted,
      verification: verificationOf(execution),
      checkpointId: applied.checkpointId,
      rollbackCheckpointId: rollback?.checkpointId ?? null,
    };
  });
}
