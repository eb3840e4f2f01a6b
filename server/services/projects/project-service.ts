import type { Actor } from "@/server/auth/actor";
import type { AuthUser } from "@/server/auth/auth-user";
import { type FileRecord, fileRepository } from "@/server/repositories/file-repository";
import { type NewProjectFile, type ProjectListQuery, type ProjectRecord, projectRepository } from "@/server/repositories/project-repository";
import { fileTypeOf } from "@/server/services/files/file-type";
import { contentVersion } from "@/server/services/files/file-version";
import { requireProject } from "@/server/services/projects/project-access";
import { getRateLimits } from "@/server/process/rate-limits-runtime";
import { assertProjectSize, type WorkspaceLimits } from "@/server/services/files/workspace-limits";
import { getTemplate } from "@/server/templates/templates";
import { releaseProjectContainer } from "./release-container";
import { AppError } from "@/server/errors/app-error";
import { logSandboxEvent } from "@/server/monitoring/sandbox-log";
import type { NetworkPolicy } from "@/server/sandbox/egress";

export interface CreateProjectInput {
  name: string;
  description?: string | null;
  /** A template id (or the seed's alias); absent for an empty project. */
  template?: string | null;
  isPublic?: boolean;
}

/** Creates a project, empty or with a template's files (attributed to the AI that asked). */
export async function createProject(actor: Actor, input: CreateProjectInput): Promise<ProjectRecord> {
  const { user, ai } = actor;
  const template = input.template ? getTemplate(input.template) : null;
  await (await getRateLimits()).consumeSandboxCreation(String(user.id));
  const files: NewProjectFile[] = template
    ? Object.entries(template.files).map(([path, content]) => ({
        filePath: path,
        content,
        encoding: "utf8",
        sizeBytes: Buffer.byteLength(content),
        version: contentVersion(content, "utf8"),
        fileType: fileTypeOf(path),
        isEntryPoint: path === template.entryPoint,
        isExecutable: false,
        createdByAi: ai,
      }))
    : [];
  return projectRepository.createWithFiles(
    {
      name: input.name,
      description: input.description ?? null,
      userId: user.id,
      createdByAi: ai,
      templateType: template?.id ?? null,
      isPublic: input.isPublic ?? false,
    },
    files,
  );
}

export type ListProjectsInput = Omit<ProjectListQuery, "ownerId" | "includePublic"> & { scope: "own" | "own-and-public" | "all" };

/** Own projects (and public ones when asked); admins may ask for everyone's. */
export function listProjects(user: AuthUser, input: ListProjectsInput) {
  const everyone = input.scope === "all" && user.role === "admin";
  return projectRepository.list({ ...input, ownerId: everyone ? null : user.id, includePublic: input.scope !== "own" });
}

export async function getProject(user: AuthUser, projectId: number) {
  const project = await requireProject(user, projectId, "read");
  const files = await fileRepository.listMeta(projectId);
  return { ...project, fileCount: files.length, sizeBytes: files.reduce((sum, f) => sum + f.sizeBytes, 0) };
}

export async function updateProject(
  user: AuthUser,
  projectId: number,
  changes: { name?: string; description?: string | null; isPublic?: boolean; networkPolicy?: NetworkPolicy },
): Promise<ProjectRecord> {
  const project = await requireProject(user, projectId, "write");
  // "open" reaches any public address: only an admin (with the admin scope, for API keys) sets it.
  if (changes.networkPolicy === "open" && !(user.role === "admin" && user.scopes.includes("admin"))) {
    throw new AppError("FORBIDDEN", "Only an administrator can set the network policy to open");
  }
  const updated = await projectRepository.update(projectId, changes);
  if (changes.networkPolicy && changes.networkPolicy !== project.networkPolicy) {
    logSandboxEvent({
      level: "info",
      sandbox_id: projectId,
      user_id: user.id,
      action: `network_policy ${project.networkPolicy} -> ${changes.networkPolicy}`,
      execution_time: 0,
    });
  }
  return updated;
}

/** Releases the project's container first, then deletes the project with its files and executions. */
export async function deleteProject(user: AuthUser, projectId: number): Promise<void> {
  await requireProject(user, projectId, "write");
  await releaseProjectContainer(projectId);
  await projectRepository.delete(projectId);
}

/** Stops the project's sandbox (its files stay); frees one of the user's running-sandbox slots. */
export async function releaseProject(user: AuthUser, projectId: number): Promise<void> {
  await requireProject(user, projectId, "write");
  await releaseProjectContainer(projectId);
}

/** Copies a project the caller can read (their own, or a public one) into a new one they own. */
export async function duplicateProject(actor: Actor, projectId: number, input: { name?: string }, limits: WorkspaceLimits): Promise<ProjectRecord> {
  const { user, ai } = actor;
  const source = await requireProject(user, projectId, "read");
  const files: FileRecord[] = await fileRepository.listWithContent(projectId);
  assertProjectSize(
    files.reduce((sum, f) => sum + f.sizeBytes, 0),
    limits,
  );
  await (await getRateLimits()).consumeSandboxCreation(String(user.id));
  return projectRepository.createWithFiles(
    {
      name: input.name ?? `${source.name} (copy)`.slice(0, 255),
      description: source.description,
      userId: user.id,
      createdByAi: ai,
      templateType: source.templateType,
      isPublic: false,
    },
    files.map((f) => ({
      filePath: f.filePath,
      content: f.content ?? "",
      encoding: f.encoding,
      sizeBytes: f.sizeBytes,
      version: f.version,
      fileType: f.fileType,
      isEntryPoint: f.isEntryPoint,
      isExecutable: f.isExecutable,
      createdByAi: f.createdByAi,
    })),
  );
}
