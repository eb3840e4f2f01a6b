// pantheon-tunnel `connect` in both images, in a hardened container (no network but lo), through
// `docker exec` with stdin attached, as the app uses it. Once per runtime (runc, runsc).
import { PassThrough } from "node:stream";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveLimits } from "../security/policy";
import { loadSeccompProfileText } from "../security/profiles";
import { buildContainerSpec, type SandboxRuntime } from "../server/sandbox/container-spec";
import { runProbe } from "../server/sandbox/posture";
import { ensureImages } from "./ensure-images";
import { defaultRegistry, IMAGE_NAMES, imageTag, type ImageName } from "./image-inputs";
import { TUNNEL_PATH } from "./tunnel";

const runtime = (process.env.SANDBOX_RUNTIME ?? "runc") as SandboxRuntime;
const docker = new Docker();
const TEST_LABEL = "org.pantheon-sandbox.test";
const runId = `tunnel-${process.pid}-${Date.now()}`;
const MiB = 1024 * 1024;
const containers = new Map<ImageName, Docker.Container>();

// A one-connection-at-a-time server in the container: replies "<n> bytes, sha256 <hex>" to what it
// read until EOF (so the reply proves the half-close reached it), then a 1 MiB pattern.
const SERVERS: Record<ImageName, string> = {
  node: `node -e '
    const net = require("net"), crypto = require("crypto");
    net.createServer((s) => {
      const h = crypto.createHash("sha256"); let n = 0;
      s.on("data", (d) => { n += d.length; h.update(d); });
      s.on("end", () => { s.write(n + " bytes, sha256 " + h.digest("hex") + "\\n"); s.end(Buffer.alloc(1048576, 97)); });
    }).listen(4000, "127.0.0.1");' >/dev/null 2>&1 &`,
  python: `python3 -c '
import socket, hashlib
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); srv.bind(("127.0.0.1", 4000)); srv.listen(8)
while True:
    c, _ = srv.accept(); h = hashlib.sha256(); n = 0
    while True:
        d = c.recv(65536)
        if not d: break
        n += len(d); h.update(d)
    c.sendall(("%d bytes, sha256 %s\\n" % (n, h.hexdigest())).encode()); c.sendall(b"a" * 1048576); c.close()' >/dev/null 2>&1 &`,
};

interface TunnelRun {
  stdout: Buffer;
  stderr: string;
  exitCode: number | null;
}

/** Runs the tunnel by `docker exec`, writes `input` to its stdin, then half-closes it. */
async function runTunnel(container: Docker.Container, args: string[], input: Buffer): Promise<TunnelRun> {
  const exec = await container.exec({ Cmd: [TUNNEL_PATH, ...args], User: "1000:1000", AttachStdin: true, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (b: Buffer) => out.push(b));
  stderr.on("data", (b: Buffer) => err.push(b));
  container.modem.demuxStream(stream, stdout, stderr);
  const ended = new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  stream.end(input);
  await ended;
  const info = await exec.inspect();
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8"), exitCode: info.ExitCode ?? null };
}

beforeAll(async () => {
  await ensureImages({ log: () => undefined });
  for (const name of IMAGE_NAMES) {
    const spec = buildContainerSpec({
      image: imageTag(defaultRegistry(), name),
      runtime,
      limits: resolveLimits({ workspaceBytes: 8 * MiB, workspaceInodes: 512, pids: 64, memoryBytes: 256 * MiB }),
      labels: { [TEST_LABEL]: runId },
      seccompProfile: loadSeccompProfileText(),
      env: {},
    });
    const container = await docker.createContainer(spec);
    await container.start();
    containers.set(name, container);
  }
});

afterAll(async () => {
  await Promise.all([...containers.values()].map((c) => c.remove({ force: true }).catch(() => undefined)));
});

describe.each(IMAGE_NAMES)(`pantheon-tunnel in the %s image (${runtime})`, (name) => {
  it("is installed root-owned, not writable by the sandbox user, and static", async () => {
    const c = containers.get(name)!;
    // perl's stat(2), not coreutils' stat/ls: their statx is refused (EINVAL) under gVisor.
    const r = await runProbe(
      c,
      `perl -e '@s = stat("${TUNNEL_PATH}"); printf("mode %o uid %d\\n", $s[2], $s[4])'; test -w ${TUNNEL_PATH} && echo writable; head -c 4 ${TUNNEL_PATH} | od -An -c`,
    );
    expect(r.stdout).toContain("mode 100755 uid 0");
    expect(r.stdout).not.toContain("writable");
    expect(r.stdout).toMatch(/177\s+E\s+L\s+F/);
    // No interpreter: a static binary has no PT_INTERP, so the image's libc does not matter.
    const usage = await runTunnel(c, [], Buffer.alloc(0));
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toContain("usage: pantheon-tunnel");
  });

  it("connect pipes both ways, half-close aware, to a server on the container's loopback", async () => {
    const c = containers.get(name)!;
    await runProbe(c, SERVERS[name]);
    const input = Buffer.alloc(3 * MiB + 7);
    for (let i = 0; i < input.length; i++) input[i] = (i * 31 + 7) & 0xff;
    const { createHash } = await import("node:crypto");
    const want = `${input.length} bytes, sha256 ${createHash("sha256").update(input).digest("hex")}\n`;
    let run: TunnelRun | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      run = await runTunnel(c, ["connect", "4000"], input);
      if (run.exitCode !== 3) break; // the server may still be starting
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(run?.stderr).toBe("");
    expect(run?.exitCode).toBe(0);
    const text = run!.stdout.subarray(0, want.length).toString("utf8");
    expect(text).toBe(want);
    const rest = run!.stdout.subarray(want.length);
    expect(rest.length).toBe(MiB);
    expect(rest.every((b) => b === 97)).toBe(true);
  });

  it("connect says clearly when nothing listens on the port", async () => {
    const r = await runTunnel(containers.get(name)!, ["connect", "4999"], Buffer.from("hello"));
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe("pantheon-tunnel: nothing listening on port 4999\n");
    expect(r.stdout.length).toBe(0);
  });

  it("rejects a port that is not 1-65535", async () => {
    const r = await runTunnel(containers.get(name)!, ["connect", "70000"], Buffer.alloc(0));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('invalid port "70000"');
  });
});
