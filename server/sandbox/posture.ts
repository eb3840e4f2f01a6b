// Start-up posture check: creates a FRESH container from the hardened spec and verifies, from the
// inside, that the protections are live (a spec can be right and a daemon can still ignore it).
// The container is removed whatever happens.
import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";
import { DEFAULT_LIMITS, type SandboxLimits } from "../../security/policy";
import { loadSeccompProfileText } from "../../security/profiles";
import { SANDBOX_UID } from "../../security/policy";
import { buildContainerSpec, SANDBOX_USER, type SandboxRuntime } from "./container-spec";
import { sandboxExec } from "./sandbox-exec";

export interface PostureCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface PostureResult {
  ok: boolean;
  runtime: SandboxRuntime;
  image: string;
  checks: PostureCheck[];
  durationMs: number;
}

export interface PostureOptions {
  docker: Dockerode;
  image: string;
  runtime: SandboxRuntime;
  seccompProfile?: string;
  apparmorProfile?: string | null;
  limits?: SandboxLimits;
  labels?: Record<string, string>;
  timeoutMs?: number;
}

export interface ProbeResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export const POSTURE_LABEL = "org.pantheon-sandbox.role";

/**
 * Runs `sh -c script` in the container as the sandbox user (through the agent's privilege drop, as
 * sandbox code runs: sandbox-exec.ts) and collects its output.
 */
export async function runProbe(
  container: Dockerode.Container,
  script: string,
  opts: { user?: string; timeoutMs?: number; env?: string[] } = {},
): Promise<ProbeResult> {
  const exec = await container.exec({
    ...sandboxExec(["sh", "-c", script], opts.user ?? SANDBOX_USER, undefined),
    Env: opts.env,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (b: Buffer) => out.push(b));
  stderr.on("data", (b: Buffer) => err.push(b));
  (container.modem as { demuxStream(stream: NodeJS.ReadableStream, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void }).demuxStream(
    stream,
    stdout,
    stderr,
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new Error(`probe timed out after ${opts.timeoutMs ?? 30_000} ms: ${script.slice(0, 80)}`));
    }, opts.timeoutMs ?? 30_000);
    stream.on("end", () => (clearTimeout(timer), resolve()));
    stream.on("close", () => (clearTimeout(timer), resolve()));
    stream.on("error", (e) => (clearTimeout(timer), reject(e)));
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

export function parseProcStatus(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) fields.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return fields;
}

/** Interface names in /proc/net/dev (works under runc and gVisor, unlike /sys/class/net). */
export function parseNetDevInterfaces(text: string): string[] {
  return text
    .split("\n")
    .slice(2)
    .map((l) => l.split(":")[0]?.trim() ?? "")
    .filter(Boolean);
}

const SEP = "@@posture@@";
const PROBE_SCRIPT = [
  "cat /proc/self/status",
  "id -u",
  "uname -r",
  "cat /proc/net/dev",
  "grep '^Uid:' /proc/1/status",
  "if touch /.posture-probe 2>/dev/null; then echo writable; else echo readonly; fi",
].join(`; echo ${SEP}; `);

function zeroMask(value: string | undefined): boolean {
  return value !== undefined && /^0+$/.test(value);
}

/** Judges the probe output; pure so the unit tests can feed it captured runc/gVisor output. */
export function evaluatePosture(input: {
  runtime: SandboxRuntime;
  probeStdout: string;
  inspectedRuntime: string | undefined;
  hostKernel: string;
}): PostureCheck[] {
  const [status = "", uid = "", kernel = "", netdev = "", initUid = "", rootfs = ""] = input.probeStdout.split(SEP).map((s) => s.trim());
  const fields = parseProcStatus(status);
  const checks: PostureCheck[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  add("uid-not-root", uid !== "" && uid !== "0", `id -u = ${uid || "?"}`);
  const initUidValue = initUid.split(/\s+/)[1];
  // Init runs as root (container-spec.ts INIT_USER): what matters is that sandbox code, uid 1000,
  // cannot signal it (`kill 1` ended the container while init ran as uid 1000).
  add("init-not-sandbox-user", initUidValue !== undefined && initUidValue !== "" && initUidValue !== String(SANDBOX_UID), `pid 1 uid ${initUidValue ?? "?"}`);
  add("capeff-zero", zeroMask(fields.get("CapEff")), `CapEff ${fields.get("CapEff") ?? "missing"}`);
  add("capbnd-zero", zeroMask(fields.get("CapBnd")), `CapBnd ${fields.get("CapBnd") ?? "missing"}`);
  const interfaces = parseNetDevInterfaces(netdev);
  add("network-loopback-only", interfaces.length > 0 && interfaces.every((i) => i === "lo"), `interfaces: ${interfaces.join(", ") || "none"}`);
  add("rootfs-read-only", rootfs === "readonly", `write to / ${rootfs === "readonly" ? "refused" : "succeeded"}`);

  if (input.runtime === "runc") {
    add("no-new-privs", fields.get("NoNewPrivs") === "1", `NoNewPrivs ${fields.get("NoNewPrivs") ?? "missing"}`);
    add("seccomp-filter", fields.get("Seccomp") === "2", `Seccomp ${fields.get("Seccomp") ?? "missing"} (2 = filter mode)`);
  } else {
    // gVisor's Sentry is the kernel answering syscalls: it reports its own fixed release (4.4.0 in
    // 2022 builds, 4.19.0-gvisor in the one security/gvisor pins) rather than the host's, and its
    // /proc has no NoNewPrivs line. Proof = the daemon ran the container with runsc AND the kernel
    // inside is not the host's kernel.
    add("runtime-is-runsc", input.inspectedRuntime === "runsc", `HostConfig.Runtime ${input.inspectedRuntime ?? "?"}`);
    add(
      "gvisor-kernel-answers",
      kernel !== "" && kernel !== input.hostKernel,
      `uname -r inside ${kernel || "?"} (gVisor reports its own release), host ${input.hostKernel}; NoNewPrivs line ${fields.has("NoNewPrivs") ? "present" : "absent"}`,
    );
  }
  return checks;
}

export async function runPostureCheck(opts: PostureOptions): Promise<PostureResult> {
  const started = Date.now();
  const spec = buildContainerSpec({
    image: opts.image,
    runtime: opts.runtime,
    limits: opts.limits ?? { ...DEFAULT_LIMITS },
    labels: { [POSTURE_LABEL]: "posture-check", ...opts.labels },
    seccompProfile: opts.seccompProfile ?? loadSeccompProfileText(),
    apparmorProfile: opts.apparmorProfile ?? null,
  });
  let container: Dockerode.Container | undefined;
  try {
    container = await opts.docker.createContainer(spec);
    await container.start();
    const [probe, inspected, info] = await Promise.all([
      runProbe(container, PROBE_SCRIPT, { timeoutMs: opts.timeoutMs ?? 30_000 }),
      container.inspect(),
      opts.docker.info() as Promise<{ KernelVersion?: string }>,
    ]);
    const checks = evaluatePosture({
      runtime: opts.runtime,
      probeStdout: probe.stdout,
      inspectedRuntime: inspected.HostConfig.Runtime,
      hostKernel: info.KernelVersion ?? "unknown",
    });
    return { ok: checks.every((c) => c.ok), runtime: opts.runtime, image: opts.image, checks, durationMs: Date.now() - started };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, runtime: opts.runtime, image: opts.image, checks: [{ name: "container-runs", ok: false, detail }], durationMs: Date.now() - started };
  } finally {
    // force: stops and removes in one call; 404 means it never got created or is already gone.
    await container?.remove({ force: true }).catch(() => undefined);
  }
}
