import type { ExecutionSettings } from "@/server/services/executions/start-execution";
import type { AiCommandSettings } from "./ai-command-settings";
import type { Actor } from "@/server/auth/actor";
import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { executionRepository } from "@/server/repositories/execution-repository";
import { parseDiagnostics } from "@/server/services/diagnostics/parse-diagnostics";
import type { FileChangeSet } from "@/server/services/files/apply-file-changes";
import { writeMany } from "@/server/services/files/file-service";
import { requireProject } from "@/server/services/projects/project-access";
import { getTemplate } from "@/server/templates/templates";
import { runAndWait } from "./run-and-wait";

// The seed's AI commands as tools for the chat service: they never call a model, they give an
// AI what it needs (context, diagnostics) and apply what it decided (files, commands).

/** run_tests: the project's template test command, to completion, with diagnostics. */
export async function runTests(actor: Actor, projectId: number, opts: { timeoutSeconds?: number }, settings: ExecutionSettings) {
  const project = await requireProject(actor.user, projectId, "write");
  if (!project.templateType) throw new AppError("BAD_REQUEST", `project ${projectId} has no template, so no test command; run one with executions.run`);
  const template = getTemplate(project.templateType);
  const timeoutMs = opts.timeoutSeconds === undefined ? undefined : opts.timeoutSeconds * 1000;
  return runAndWait(actor, projectId, { kind: "command", command: template.commands.test, type: "test", image: template.image, timeoutMs }, settings);
}

/** debug_code: the latest failed execution with its errors located (file, line, column, message). */
export async function debugCode(user: AuthUser, projectId: number) {
  await requireProject(user, projectId, "read");
  const failed = await executionRepository.latestFailed(projectId);
  if (!failed) return { execution: null, diagnostics: [] };
  return { execution: failed, diagnostics: parseDiagnostics(failed.output ?? "", failed.errorOutput ?? "") };
}

/** apply_changes: a multi-file change set, atomically, then an optional verification command. */
export async function applyChanges(
  actor: Actor,
  projectId: number,
  changes: FileChangeSet,
  opts: { verifyCommand?: string; timeoutSeconds?: number },
  settings: AiCommandSettings,
) {
  const { user } = actor;
  const applied = await writeMany(actor, projectId, changes, settings);
  if (!opts.verifyCommand) return { ...applied, verification: null };
  const timeoutMs = opts.timeoutSeconds === undefined ? undefined : opts.timeoutSeconds * 1000;
  const project = await requireProject(user, projectId, "write");
  const image = project.templateType ? getTemplate(project.templateType).image : undefined;
  const verification = await runAndWait(actor, projectId, { kind: "command", command: opts.verifyCommand, type: "test", timeoutMs, image }, settings);
  return { ...applied, verification };
}
