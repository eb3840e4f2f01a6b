import Docker from "dockerode";

export interface DockerStatus {
  status: "up" | "unavailable";
  version?: string;
  runtimes?: string[];
  error?: string;
  [key: string]: unknown;
}

/** Whether the Docker engine answers, within a short deadline so /api/health never hangs. */
export async function pingDocker(docker = new Docker(), timeoutMs = 2000): Promise<DockerStatus> {
  const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref());
  try {
    const info = (await Promise.race([docker.info(), deadline])) as { ServerVersion?: string; Runtimes?: Record<string, unknown> };
    return { status: "up", version: info.ServerVersion, runtimes: Object.keys(info.Runtimes ?? {}) };
  } catch (e) {
    return { status: "unavailable", error: e instanceof Error ? e.message : String(e) };
  }
}
