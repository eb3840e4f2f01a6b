import { SandboxApiError } from "./errors.js";
import { serverSentEvents } from "./sse.js";
import type {
  CheckpointDetail,
  CheckpointList,
  CreateProjectBody,
  ExecuteBody,
  Execution,
  ExecutionStreamEvent,
  FileContent,
  OptimizeBody,
  PerformanceReport,
  Project,
  ProjectList,
  ProcessWithOutput,
  ReadFileQuery,
  RestoreCheckpointBody,
  RestoreResult,
  SandboxFile,
  SandboxProcess,
  StartProcessBody,
  VerifiedChangeSet,
  VerifiedChangeSetBody,
  WriteFileBody,
} from "./types.js";

export interface SandboxClientOptions {
  /** The app's origin, e.g. "http://localhost:3000" (a path prefix is kept: "https://host/sandbox"). */
  url: string;
  /** An API key ("psk_…"), sent as `Authorization: Bearer <key>` on every request. */
  apiKey: string;
  /** A fetch to use instead of the global one (a proxy agent, retries, tests). */
  fetch?: typeof fetch;
}

/** The raw bytes of a file, with the media type the server gave them. */
export interface FileBytes {
  bytes: Uint8Array;
  contentType: string;
}

/**
 * The REST API of Pantheon Sandbox, typed from its OpenAPI document. Every method resolves with
 * the answer's JSON (snake_case, as on the wire) or rejects with a SandboxApiError.
 */
export class SandboxClient {
  readonly #base: string;
  readonly #authorization: string;
  readonly #fetch: typeof fetch;

  constructor(options: SandboxClientOptions) {
    this.#base = options.url.replace(/\/+$/, "");
    this.#authorization = `Bearer ${options.apiKey}`;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Your projects, newest first (up to 100); `include_public` adds everyone's public ones, `search` filters by name or description. */
  listProjects(query: { include_public?: boolean; search?: string } = {}): Promise<ProjectList> {
    return this.#json("GET", "/api/sandbox/projects", { query: { include_public: query.include_public ? "1" : undefined, search: query.search } });
  }

  /** Creates a project, from a template (`node-api`, `react-app`, `vue-app`, `python-script`) or empty. */
  createProject(body: CreateProjectBody): Promise<Project> {
    return this.#json("POST", "/api/sandbox/projects", { body });
  }

  /** The project's files with their metadata, without content. */
  async listFiles(projectId: number): Promise<SandboxFile[]> {
    const list = await this.#json<{ files: SandboxFile[] }>("GET", `${project(projectId)}/files`);
    return list.files;
  }

  /** Creates or overwrites a file; binary content goes as base64 with `encoding: "base64"`. */
  writeFile(projectId: number, body: WriteFileBody): Promise<SandboxFile> {
    return this.#json("POST", `${project(projectId)}/files`, { body });
  }

  /** One file with its content: text as is (`encoding: "utf8"`), binary in base64 (`encoding: "base64"`). */
  readFile(projectId: number, path: string, query: ReadFileQuery = {}): Promise<FileContent> {
    return this.#json("GET", `${project(projectId)}/files/content`, { query: { path, max_bytes: query.max_bytes } });
  }

  /** One file's exact bytes and media type (`image/png`, `text/plain; charset=utf-8`…). */
  async readFileBytes(projectId: number, path: string, query: ReadFileQuery = {}): Promise<FileBytes> {
    const response = await this.#request("GET", `${project(projectId)}/files/content`, {
      query: { path, max_bytes: query.max_bytes },
      accept: "application/octet-stream",
    });
    return { bytes: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get("content-type") ?? "application/octet-stream" };
  }

  /** Runs a command (or `code` with its `language`) and resolves with the finished execution. */
  execute(projectId: number, body: ExecuteBody): Promise<Execution> {
    return this.#json("POST", `${project(projectId)}/execute`, { body });
  }

  /**
   * Runs a command and yields its events as they happen (server-sent events): `started`,
   * `stdout`/`stderr`, `exit`, then `result` with the recorded execution. Breaking out of the
   * loop, or aborting `signal`, stops listening; the execution itself runs on to its end.
   */
  async *executeStream(projectId: number, body: ExecuteBody, options: { signal?: AbortSignal } = {}): AsyncGenerator<ExecutionStreamEvent> {
    const response = await this.#request("POST", `${project(projectId)}/execute`, { body, accept: "text/event-stream", signal: options.signal });
    if (!response.body) throw new SandboxApiError(response.status, "HTTP_NO_BODY", "the event stream had no body");
    for await (const sse of serverSentEvents(response.body)) {
      yield { event: sse.event, data: JSON.parse(sse.data) as unknown } as ExecutionStreamEvent;
    }
  }

  /** The latest execution of the project (status "running" until it ends). */
  latestOutput(projectId: number): Promise<Execution> {
    return this.#json("GET", `${project(projectId)}/output`);
  }

  /** Cancels a running execution (on whichever instance runs it); false when it had already ended. */
  async cancelExecution(projectId: number, executionId: number): Promise<boolean> {
    const answer = await this.#json<{ cancelled: boolean }>("POST", `${project(projectId)}/executions/${id(executionId)}/cancel`);
    return answer.cancelled;
  }

  /** Releases the project's container now; files are kept. */
  async releaseProject(projectId: number): Promise<void> {
    await this.#json("POST", `${project(projectId)}/release`);
  }

  /** Starts a background process serving `port` (`{}`: the template's dev server), with its preview_url. */
  startProcess(projectId: number, body: StartProcessBody = {}): Promise<SandboxProcess> {
    return this.#json("POST", `${project(projectId)}/processes`, { body });
  }

  async listProcesses(projectId: number): Promise<SandboxProcess[]> {
    const list = await this.#json<{ processes: SandboxProcess[] }>("GET", `${project(projectId)}/processes`);
    return list.processes;
  }

  /** One process with the last 64 KiB of its output. */
  getProcess(projectId: number, processId: number): Promise<ProcessWithOutput> {
    return this.#json("GET", `${project(projectId)}/processes/${id(processId)}`);
  }

  /** Stops the process and its children; its preview closes. */
  stopProcess(projectId: number, processId: number): Promise<SandboxProcess> {
    return this.#json("DELETE", `${project(projectId)}/processes/${id(processId)}`);
  }

  /**
   * refactor_code: applies the change set (write / delete / move) atomically, runs `verify`
   * (default: the template's test command), and rolls every file back byte-exact if it fails.
   */
  refactorCode(projectId: number, body: VerifiedChangeSetBody): Promise<VerifiedChangeSet> {
    return this.#json("POST", `${project(projectId)}/refactor`, { body });
  }

  /** add_feature: the same as refactorCode, recorded as a feature. */
  addFeature(projectId: number, body: VerifiedChangeSetBody): Promise<VerifiedChangeSet> {
    return this.#json("POST", `${project(projectId)}/features`, { body });
  }

  /**
   * optimize_performance: the command's hot spots, wall time and peak memory (`mode: "profile"`),
   * or with `candidate` its speed-up against the project's files (`mode: "compare"`).
   */
  optimizePerformance(projectId: number, body: OptimizeBody = {}): Promise<PerformanceReport> {
    return this.#json("POST", `${project(projectId)}/optimize`, { body });
  }

  /** The project's checkpoints (every change set), newest first; pass `next_before_id` as `before_id` for the next page. */
  listCheckpoints(projectId: number, query: { limit?: number; before_id?: number } = {}): Promise<CheckpointList> {
    return this.#json("GET", `${project(projectId)}/checkpoints`, { query });
  }

  /** One checkpoint with each file's before, after and unified diff. */
  getCheckpoint(projectId: number, checkpointId: number): Promise<CheckpointDetail> {
    return this.#json("GET", `${project(projectId)}/checkpoints/${id(checkpointId)}`);
  }

  /** Returns the files to their state just after the checkpoint; the restore is itself a checkpoint, so it can be undone. */
  restoreCheckpoint(projectId: number, checkpointId: number, body: RestoreCheckpointBody = {}): Promise<RestoreResult> {
    return this.#json("POST", `${project(projectId)}/checkpoints/${id(checkpointId)}/restore`, { body });
  }

  async #json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.#request(method, path, { ...options, accept: "application/json" });
    return (await response.json()) as T;
  }

  async #request(method: string, path: string, options: RequestOptions & { accept: string }): Promise<Response> {
    const url = new URL(this.#base + path);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { authorization: this.#authorization, accept: options.accept };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await this.#fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
    if (!response.ok) throw await SandboxApiError.from(response);
    return response;
  }
}

interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  signal?: AbortSignal | undefined;
}

function id(n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) throw new TypeError(`not an id: ${n}`);
  return String(n);
}

function project(projectId: number): string {
  return `/api/sandbox/projects/${id(projectId)}`;
}

/** `createSandboxClient({ url, apiKey })`: the same as `new SandboxClient(…)`. */
export function createSandboxClient(options: SandboxClientOptions): SandboxClient {
  return new SandboxClient(options);
}
