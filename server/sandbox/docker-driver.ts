import { readFile, writeFile } from "node:fs/promises";
import type { Duplex, Readable } from "node:stream";
import type Dockerode from "dockerode";
import type { Logger } from "pino";
import { attachExec } from "./docker-attach";
import { statusCode, wrap } from "./docker-errors";
import { parseDockerStats } from "./docker-stats";
import { FrameDemuxer } from "./docker-stream";
import type {
  ContainerEvent,
  ContainerEventType,
  ContainerState,
  ContainerStatsSample,
  ContainerSummary,
  CreateContainerRequest,
  EventSubscription,
  AttachedExec,
  AttachRequest,
  ExecOutcome,
  ExecRequest,
  ResourceUsage,
  SandboxDriver,
  StatsSubscription,
} from "./driver";
import { SandboxError } from "./errors";
import { sandboxExec } from "./sandbox-exec";

/** Builds the hardened create options (security/ owns the policy; the driver only applies it). */
export type ContainerSpecBuilder = (request: CreateContainerRequest) => Dockerode.ContainerCreateOptions;

const CONTAINER_ID = /^[0-9a-f]{64}$/;

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return null;
  }
}

async function readNumber(path: string): Promise<number | null> {
  const text = await readText(path);
  const value = text === null ? NaN : Number(text.trim());
  return Number.isFinite(value) ? value : null;
}

/** A "name value" line of a cgroup key-value file. */
function counter(text: string | null, key: string): number | null {
  const match = text ? new RegExp(`^${key} (\\d+)$`, "m").exec(text) : null;
  return match?.[1] ? Number(match[1]) : null;
}

const EVENT_TYPES: readonly ContainerEventType[] = ["die", "oom", "destroy", "kill"];

function labelFilters(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}

export class DockerDriver implements SandboxDriver {
  readonly kind = "docker";

  constructor(
    private readonly docker: Dockerode,
    private readonly buildSpec: ContainerSpecBuilder,
    private readonly log: Logger,
  ) {}

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw wrap(err, "ping");
    }
  }

  async hasImage(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (err) {
      if (statusCode(err) === 404) return false;
      throw wrap(err, "image inspect");
    }
  }

  async create(request: CreateContainerRequest): Promise<string> {
    try {
      const container = await this.docker.createContainer(this.buildSpec(request));
      this.log.debug({ containerId: container.id, image: request.image }, "container created");
      return container.id;
    } catch (err) {
      this.log.warn({ err, image: request.image }, "container create failed");
      throw wrap(err, "create");
    }
  }

  async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
      this.log.debug({ containerId: id }, "container started");
    } catch (err) {
      if (statusCode(err) === 304) return; // already started
      this.log.warn({ err, containerId: id }, "container start failed");
      throw wrap(err, "start");
    }
  }

  async exec(id: string, request: ExecRequest): Promise<ExecOutcome> {
    const { signal } = request;
    if (signal?.aborted) return { exitCode: null };
    let exec: Dockerode.Exec;
    let stream: Duplex;
    try {
      // Each step honours the signal: a caller's deadline must hold even while Docker is slow to
      // answer (a stream that arrives after the abort is dropped at once).
      exec = await untilAborted(
        this.docker.getContainer(id).exec({
          ...sandboxExec(request.cmd, request.user, request.workdir),
          WorkingDir: request.workdir,
          Env: request.env ? Object.entries(request.env).map(([k, v]) => `${k}=${v}`) : undefined,
          AttachStdin: request.stdin !== undefined,
          AttachStdout: true,
          AttachStderr: true,
          Tty: false,
        }),
        signal,
      );
      stream = await untilAborted(exec.start({ hijack: true, stdin: request.stdin !== undefined }), signal, (late) => late.destroy());
    } catch (err) {
      if (err instanceof ExecAborted) return { exitCode: null };
      this.log.debug({ err, containerId: id, cmd: request.cmd[0] }, "exec failed to start");
      const code = statusCode(err);
      if (code === 404 || code === 409) throw new SandboxError("CONTAINER_LOST", `container ${id.slice(0, 12)} is not running`, { cause: err });
      throw wrap(err, "exec");
    }

    // bashArgs() puts the script's name at argv[3] ("pantheon-run", "pantheon-load"...).
    this.log.debug({ containerId: id, cmd: request.cmd[0] === "bash" ? request.cmd[3] : request.cmd[0] }, "exec started");
    const demux = new FrameDemuxer();
    const ended = new Promise<boolean>((resolve, reject) => {
      const onAbort = () => {
        stream.destroy();
        resolve(false);
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
      stream.on("data", (chunk: Buffer) => {
        for (const frame of demux.push(chunk)) request.onOutput?.(frame.stream, frame.data);
      });
      stream.on("end", () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(true);
      });
      stream.on("close", () => resolve(true));
      stream.on("error", (err) => {
        signal?.removeEventListener("abort", onAbort);
        if (signal?.aborted) resolve(false);
        else reject(wrap(err, "exec stream"));
      });
    });

    if (request.stdin !== undefined) this.writeStdin(stream, request.stdin);
    const completed = await ended;
    if (!completed) return { exitCode: null };
    try {
      const info = await exec.inspect();
      return { exitCode: typeof info.ExitCode === "number" ? info.ExitCode : null };
    } catch (err) {
      throw wrap(err, "exec inspect");
    }
  }

  attach(id: string, request: AttachRequest): Promise<AttachedExec> {
    return attachExec(this.docker, id, request, this.log);
  }

  private writeStdin(stream: Duplex, stdin: Buffer | Readable): void {
    // Ending the writable side half-closes the hijacked connection: the process sees EOF on stdin.
    if (Buffer.isBuffer(stdin)) {
      stream.end(stdin);
      return;
    }
    stdin.on("error", () => stream.destroy());
    stdin.pipe(stream);
  }

  /**
   * Reads the container's cgroup accounting directly: Docker's stats API waits for a ~1 s sample,
   * far too slow to bracket an execution. These are kernel files named by a container id we
   * created, never paths the sandbox controls. cgroup v1 (cgroupfs driver) and v2 are supported.
   */
  async usage(id: string): Promise<ResourceUsage | null> {
    if (!CONTAINER_ID.test(id)) return null;
    const v1Peak = await readNumber(`/sys/fs/cgroup/memory/docker/${id}/memory.max_usage_in_bytes`);
    if (v1Peak !== null) {
      const [cpuTotalNs, oomControl] = await Promise.all([
        readNumber(`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`),
        readText(`/sys/fs/cgroup/memory/docker/${id}/memory.oom_control`),
      ]);
      return { memoryPeakBytes: v1Peak, cpuTotalNs, oomKills: counter(oomControl, "oom_kill") };
    }
    for (const dir of [`/sys/fs/cgroup/system.slice/docker-${id}.scope`, `/sys/fs/cgroup/docker/${id}`]) {
      const peak = await readNumber(`${dir}/memory.peak`);
      const cpuStat = await readText(`${dir}/cpu.stat`);
      if (peak === null && cpuStat === null) continue;
      const usec = counter(cpuStat, "usage_usec");
      return { memoryPeakBytes: peak, cpuTotalNs: usec === null ? null : usec * 1000, oomKills: counter(await readText(`${dir}/memory.events`), "oom_kill") };
    }
    return null;
  }

  async resetMemoryPeak(id: string): Promise<boolean> {
    if (!CONTAINER_ID.test(id)) return false;
    try {
      await writeFile(`/sys/fs/cgroup/memory/docker/${id}/memory.max_usage_in_bytes`, "0");
      return true;
    } catch {
      return false; // cgroup v2 (before Linux 6.12) cannot reset memory.peak: the peak stays since-start
    }
  }

  async inspect(id: string): Promise<ContainerState | null> {
    try {
      const info = await this.docker.getContainer(id).inspect();
      return {
        id: info.Id,
        name: info.Name.replace(/^\//, ""),
        running: info.State.Running,
        oomKilled: info.State.OOMKilled,
        exitCode: info.State.Running ? null : info.State.ExitCode,
        labels: info.Config.Labels ?? {},
      };
    } catch (err) {
      if (statusCode(err) === 404) return null;
      throw wrap(err, "inspect");
    }
  }

  async destroy(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
      this.log.debug({ containerId: id }, "container destroyed");
    } catch (err) {
      const code = statusCode(err);
      // 404: already gone; 409: removal already in progress. Both mean "will not exist".
      if (code === 404 || code === 304 || code === 409) {
        this.log.debug({ containerId: id, statusCode: code }, "container already gone");
        return;
      }
      this.log.warn({ err, containerId: id }, "container destroy failed");
      throw wrap(err, "destroy");
    }
  }

  async rename(id: string, name: string): Promise<void> {
    try {
      await this.docker.getContainer(id).rename({ name });
    } catch (err) {
      this.log.debug({ err, containerId: id, name }, "container rename failed");
      throw wrap(err, "rename");
    }
  }

  async listByLabel(labels: Record<string, string>): Promise<ContainerSummary[]> {
    try {
      const list = await this.docker.listContainers({ all: true, filters: { label: labelFilters(labels) } });
      return list.map((c) => ({ id: c.Id, name: (c.Names[0] ?? "").replace(/^\//, ""), labels: c.Labels ?? {}, state: c.State, createdAt: c.Created * 1000 }));
    } catch (err) {
      throw wrap(err, "list");
    }
  }

  /**
   * Docker samples a streamed container about once a second; one stream per container is far
   * cheaper than a one-shot request per sample (each of which waits for its own ~1 s reading).
   */
  async streamStats(id: string, onSample: (sample: ContainerStatsSample) => void): Promise<StatsSubscription> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.getContainer(id).stats({ stream: true });
    } catch (err) {
      const code = statusCode(err);
      if (code === 404 || code === 409) throw new SandboxError("CONTAINER_LOST", `container ${id.slice(0, 12)} is not running`, { cause: err });
      throw wrap(err, "stats");
    }
    this.log.debug({ containerId: id }, "stats stream opened");
    return {
      closed: readJsonLines(stream, (line) => {
        const sample = parseDockerStats(line);
        if (sample) onSample(sample);
      }),
      close: () => (stream as unknown as { destroy?: () => void }).destroy?.(),
    };
  }

  async subscribeEvents(labels: Record<string, string>, onEvent: (event: ContainerEvent) => void): Promise<EventSubscription> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.getEvents({
        filters: { type: ["container"], event: [...EVENT_TYPES], label: labelFilters(labels) },
      });
    } catch (err) {
      throw wrap(err, "events");
    }
    const closed = readJsonLines(stream, (line) => {
      const event = parseEvent(line);
      if (event) {
        this.log.debug({ containerId: event.containerId, event: event.type, exitCode: event.exitCode }, "container event");
        onEvent(event);
      }
    });
    return {
      closed,
      close: () => (stream as unknown as { destroy?: () => void }).destroy?.(),
    };
  }
}

/** The caller's signal fired while Docker had not answered yet. */
class ExecAborted extends Error {}

/** Rejects with ExecAborted when the signal fires first; a late result is handed to `discard`. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, discard?: (late: T) => void): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ExecAborted("aborted"));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) discard?.(value);
        else resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Calls `onLine` for each non-empty line of a newline-delimited stream; resolves when it ends. */
function readJsonLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  let pending = "";
  return new Promise<void>((resolve) => {
    stream.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line) onLine(line);
      }
    });
    stream.on("end", () => resolve());
    stream.on("close", () => resolve());
    stream.on("error", () => resolve());
  });
}

function parseEvent(line: string): ContainerEvent | null {
  try {
    const raw = JSON.parse(line) as { Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
    const type = (raw.Action ?? raw.status ?? "") as ContainerEventType;
    const containerId = raw.Actor?.ID ?? raw.id;
    if (!EVENT_TYPES.includes(type) || !containerId) return null;
    const attributes = raw.Actor?.Attributes ?? {};
    const exitCode = attributes.exitCode === undefined ? null : Number(attributes.exitCode);
    return { type, containerId, labels: attributes, exitCode: Number.isFinite(exitCode) ? exitCode : null };
  } catch {
    return null;
  }
}
