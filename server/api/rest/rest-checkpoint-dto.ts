import type { z } from "zod";
import type { applyVerifiedChangeSet } from "@/server/services/ai/verified-change-set";
import type { getCheckpoint, listCheckpoints, restoreCheckpoint } from "@/server/services/checkpoints/checkpoint-service";
import type { checkpointDetailResponse, checkpointResponse, restoreResponse, verifiedChangeSetResponse } from "./rest-checkpoints.schema";

type Summary = Awaited<ReturnType<typeof listCheckpoints>>["checkpoints"][number];
type Detail = Awaited<ReturnType<typeof getCheckpoint>>;
type Side = Detail["diffs"][number]["before"];

export function checkpointJson(c: Summary): z.input<typeof checkpointResponse> {
  return {
    id: c.id,
    project_id: c.projectId,
    created_at: c.createdAt,
    user_id: c.author.userId,
    user_name: c.author.name,
    ai_personality: c.author.aiPersonality,
    source: c.source,
    description: c.description,
    restored_from: c.restoredFrom,
    files: c.files,
  };
}

const sideJson = (s: Side) => (s ? { hash: s.hash, size_bytes: s.sizeBytes, executable: s.executable, binary: s.binary, content: s.content } : null);

export function checkpointDetailJson(c: Detail): z.input<typeof checkpointDetailResponse> {
  return {
    ...checkpointJson(c),
    diffs: c.diffs.map((d) => ({ path: d.path, change: d.change, before: sideJson(d.before), after: sideJson(d.after), diff: d.diff })),
  };
}

export function restoreJson(r: Awaited<ReturnType<typeof restoreCheckpoint>>): z.input<typeof restoreResponse> {
  return { restored_from: r.restoredFrom, written: r.written, deleted: r.deleted, checkpoint_id: r.checkpointId };
}

export function verifiedChangeSetJson(r: Awaited<ReturnType<typeof applyVerifiedChangeSet>>): z.input<typeof verifiedChangeSetResponse> {
  const v = r.verification;
  return {
    applied: r.applied,
    rolled_back: r.rolledBack,
    written: r.written,
    deleted: r.deleted,
    verification: {
      execution_id: v.executionId,
      status: v.status,
      exit_code: v.exitCode,
      output: v.output,
      error_output: v.errorOutput,
      diagnostics: v.diagnostics,
    },
    checkpoint_id: r.checkpointId,
    rollback_checkpoint_id: r.rollbackCheckpointId,
  };
}
