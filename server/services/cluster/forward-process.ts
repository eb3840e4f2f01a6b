import type { AiPersonality } from "@/lib/ai-personalities";
import { AppError } from "@/server/errors/app-error";
import { getAppRuntime } from "@/server/process/app-runtime";
import { type ProcessRecord, processRepository } from "@/server/repositories/process-repository";
import type { ImageKind } from "@/server/sandbox/config";
import { OWNER_ANSWER_MS } from "./ask-owner";

export interface ForwardedProcessStart {
  projectId: number;
  userId: number;
  command: string;
  image: ImageKind;
  port: number | null;
  ai: AiPersonality | null;
}

/**
 * The asking side of a forwarded background process (SCALE.md, "Project ownership"), as
 * forward-execution.ts is for runs: the project is busy on `owner`, which holds its one live
 * container. This instance has admitted the caller; it records the row naming the owner (the
 * command travels in the row, not in a NOTIFY of at most 8000 bytes), asks the owner to start it,
 * and returns the row as the owner left it. Its output and end are followed from any instance
 * (peer-follow.ts); stop reaches the owner through the row's instance (ask-owner.ts).
 */
export async function forwardProcess(start: ForwardedProcessStart, owner: string, maxPerProject: number): Promise<ProcessRecord> {
  const bus = getAppRuntime().clusterBus;
  if (!bus) throw new AppError("UNAVAILABLE", "this server cannot reach the instance that holds the project");
  const row = await processRepository.start({
    projectId: start.projectId,
    userId: start.userId,
    command: start.command,
    image: start.image,
    port: start.port,
    startedByAi: start.ai,
    instanceId: owner,
  });
  const answer = await bus.ask(
    owner,
    { type: "start-process", processId: row.id, projectId: start.projectId, maxPerProject },
    OWNER_ANSWER_MS["start-process"],
  );
  if (!answer?.done) {
    const reason = answer ? "refused it (it no longer holds the project)" : "did not answer";
    // Only a row the owner never took is ended here (finish leaves an ended row alone).
    await processRepository.finish(row.id, {
      status: "failed",
      exitCode: null,
      output: `pantheon: the server instance holding the project ${reason}; try again\n`,
    });
    throw new AppError("UNAVAILABLE", `The server instance holding project ${start.projectId} ${reason}; try again`, { retryAfterSeconds: 1 });
  }
  const settled = await processRepository.findWithOutput(row.id);
  if (!settled) throw new AppError("NOT_FOUND", `Process ${row.id} not found`);
  // Refused by the project's caps there, or failed to start: the owner wrote why.
  if (settled.status === "failed" && settled.exitCode === null) {
    const why = settled.output.replace(/^pantheon: /, "").trim();
    throw new AppError("CONFLICT", why || `Process ${row.id} could not start on the server instance holding the project`);
  }
  const { output: _output, outputBase64: _base64, ...record } = settled;
  return record;
}
