import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { LIMIT_CEILINGS, DEFAULT_LIMITS, RUNSC_HOST_PIDS_PER_GUEST_PID, resolveLimits } from "../../security/policy";
import { loadSeccompProfileText } from "../../security/profiles";
import { buildContainerSpec, type ContainerSpecInput } from "./container-spec";

const seccomp = loadSeccompProfileText();
const base: ContainerSpecInput = {
  image: "pantheon-sandbox/node:latest",
  runtime: "runc",
  limits: { ...DEFAULT_LIMITS },
  labels: { "pantheon.instance": "i1", "pantheon.project": "p1" },
  seccompProfile: seccomp,
};
const spec = (over: Partial<ContainerSpecInput> = {}) => buildContainerSpec({ ...base, ...over });
const host = (over: Partial<ContainerSpecInput> = {}) => spec(over).HostConfig!;

describe("buildContainerSpec", () => {
  it("runs as the unprivileged sandbox user in /workspace, idling", () => {
    const s = spec();
    expect(s.User).toBe("0:0"); // init and the idle command, beyond uid 1000's signals; execs name their user
    expect(s.WorkingDir).toBe("/workspace");
    expect(s.Cmd).toEqual(["sleep", "infinity"]);
    expect(s.Image).toBe("pantheon-sandbox/node:latest");
    expect(s.Tty).toBe(false);
    expect(s.OpenStdin).toBe(false);
    expect(s.StopTimeout).toBeGreaterThan(0);
    expect(s.StopTimeout).toBeLessThanOrEqual(5);
  });

  it("drops every capability and adds only the agent's", () => {
    expect(host().CapDrop).toEqual(["ALL"]);
    // Exactly the agent's four, each justified in container-spec.ts and THREAT_MODEL.md.
    expect(host().CapAdd).toEqual(["SETUID", "SETGID", "SETPCAP", "KILL"]);
    // gVisor's capabilities are emulated by its own kernel: the agent may fork past the RLIMIT_NPROC it gives sandbox code.
    expect(host({ runtime: "runsc" }).CapAdd).toEqual(["SETUID", "SETGID", "SETPCAP", "KILL", "SYS_RESOURCE"]);
    expect(host().Privileged).toBe(false);
  });

  it("sets no-new-privileges and the seccomp profile under runc", () => {
    const opts = host().SecurityOpt!;
    expect(opts).toContain("no-new-privileges:true");
    expect(opts).toContain(`seccomp=${seccomp}`);
    expect(opts.some((o: string) => o.startsWith("apparmor="))).toBe(false);
  });

  it("does not pass the seccomp profile to gVisor, keeps no-new-privileges, selects runsc", () => {
    const h = host({ runtime: "runsc" });
    expect(h.Runtime).toBe("runsc");
    expect(h.SecurityOpt).toEqual(["no-new-privileges:true"]);
    expect(host().Runtime).toBe("runc");
  });

  it("adds AppArmor only when a profile is given", () => {
    expect(host({ apparmorProfile: "pantheon-sandbox" }).SecurityOpt).toContain("apparmor=pantheon-sandbox");
    expect(host({ apparmorProfile: null }).SecurityOpt!.some((o: string) => o.startsWith("apparmor"))).toBe(false);
  });

  it("rejects a malformed seccomp profile", () => {
    expect(() => spec({ seccompProfile: "{not json" })).toThrow();
  });

  it("has a read-only root and capped tmpfs for /workspace (exec) and /tmp (noexec)", () => {
    const h = host();
    expect(h.ReadonlyRootfs).toBe(true);
    const ws = h.Tmpfs!["/workspace"]!.split(",");
    expect(ws).toEqual(expect.arrayContaining(["rw", "exec", "nosuid", "nodev", "uid=1000", "gid=1000", "mode=0755"]));
    expect(ws).toContain(`size=${DEFAULT_LIMITS.workspaceBytes}`);
    expect(ws).toContain(`nr_inodes=${DEFAULT_LIMITS.workspaceInodes}`);
    const tmp = h.Tmpfs!["/tmp"]!.split(",");
    expect(tmp).toEqual(expect.arrayContaining(["noexec", "nosuid", "nodev", `size=${DEFAULT_LIMITS.tmpBytes}`, `nr_inodes=${DEFAULT_LIMITS.tmpInodes}`]));
    for (const opts of Object.values(h.Tmpfs!)) {
      expect(opts).toMatch(/(^|,)size=\d+/);
      expect(opts).toMatch(/nosuid/);
      expect(opts).toMatch(/nodev/);
    }
  });

  it("sets memory == memory+swap, a CPU quota, pids and ulimits", () => {
    const h = host({ limits: resolveLimits({ cpus: 0.5, memoryBytes: 256 * 1024 * 1024, pids: 64, nofile: 512 }) });
    expect(h.Memory).toBe(256 * 1024 * 1024);
    expect(h.MemorySwap).toBe(h.Memory);
    expect(h.NanoCpus).toBe(500_000_000);
    expect(h.PidsLimit).toBe(64);
    // gVisor: the cgroup counts the Sentry's host threads, several per guest process.
    const gvisor = host({ runtime: "runsc", limits: resolveLimits({ pids: 64 }) });
    expect(gvisor.PidsLimit).toBe(64 * RUNSC_HOST_PIDS_PER_GUEST_PID);
    expect(gvisor.Ulimits).toContainEqual({ Name: "nproc", Soft: 64, Hard: 64 });
    // runc: RLIMIT_NPROC is per host uid, shared by every sandbox; the cgroup does the job.
    expect(h.Ulimits!.some((u) => u.Name === "nproc")).toBe(false);
    expect(h.Ulimits).toEqual(
      expect.arrayContaining([
        { Name: "nofile", Soft: 512, Hard: 512 },
        { Name: "fsize", Soft: DEFAULT_LIMITS.fsizeBytes, Hard: DEFAULT_LIMITS.fsizeBytes },
        { Name: "core", Soft: 0, Hard: 0 },
      ]),
    );
  });

  it("uses an init process, private IPC and no network", () => {
    const h = host();
    expect(h.Init).toBe(true);
    expect(h.IpcMode).toBe("private");
    expect(h.NetworkMode).toBe("none");
    expect(spec().NetworkDisabled).toBe(true);
    expect(h.PortBindings).toBeUndefined();
  });

  it("mounts nothing from the host, never the docker socket, and keeps Docker's masked paths", () => {
    const h = host();
    expect(h.Binds).toBeUndefined();
    expect(h.Mounts).toBeUndefined();
    expect(h.Devices).toBeUndefined();
    expect(h.VolumesFrom).toBeUndefined();
    expect("MaskedPaths" in h).toBe(false);
    expect("ReadonlyPaths" in h).toBe(false);
    expect(JSON.stringify(spec())).not.toContain("docker.sock");
  });

  it("binds only the engine's agent socket directory, read-only, and only under runc", () => {
    const dir = "/tmp/pantheon-agent-sockets-0/i-abc/0123456789abcdef";
    expect(host({ agentSocketDir: dir }).Binds).toEqual([`${dir}:/run/pantheon-agent:ro`]);
    // gVisor's gofer refuses host sockets: no bind there, whatever the caller passes.
    expect(host({ agentSocketDir: dir, runtime: "runsc" }).Binds).toBeUndefined();
    expect(host({ agentSocketDir: null }).Binds).toBeUndefined();
  });

  it("caps logs with json-file max-size/max-file", () => {
    const log = host().LogConfig!;
    expect(log.Type).toBe("json-file");
    expect(Number(log.Config["max-size"])).toBe(DEFAULT_LIMITS.logMaxBytes);
    expect(log.Config["max-file"]).toBe("2");
  });

  it("passes labels and name through, and only the env it is given", () => {
    const s = spec({ name: "sbx-1", env: { FOO: "bar" } });
    expect(s.name).toBe("sbx-1");
    expect(s.Labels).toEqual(base.labels);
    expect(s.Env).toEqual(["FOO=bar"]);
    expect(spec().Env).toEqual([]);
    expect(spec().name).toBeUndefined();
  });

  it("refuses bad env names", () => {
    expect(() => spec({ env: { "A=B": "x" } })).toThrow(/invalid environment/);
    expect(() => spec({ env: { OK: "a\0b" } })).toThrow(/invalid environment/);
  });

  it("refuses limits above a ceiling instead of clamping", () => {
    for (const key of Object.keys(LIMIT_CEILINGS) as (keyof typeof LIMIT_CEILINGS)[]) {
      const limits = { ...DEFAULT_LIMITS, [key]: LIMIT_CEILINGS[key] * 2 };
      expect(() => spec({ limits }), key).toThrow(ZodError);
    }
    expect(() => resolveLimits({ memoryBytes: 513 * 1024 * 1024 })).toThrow(/hard ceiling/);
    expect(() => resolveLimits({ pids: 257 })).toThrow(ZodError);
  });

  it("refuses limits where the tmpfs disks would eat all memory", () => {
    expect(() => resolveLimits({ memoryBytes: 128 * 1024 * 1024 })).toThrow(/tmpfs is charged to memory/);
  });

  it("accepts the seed's ceilings exactly", () => {
    expect(LIMIT_CEILINGS.cpus).toBe(1);
    expect(LIMIT_CEILINGS.memoryBytes).toBe(512 * 1024 * 1024);
    expect(LIMIT_CEILINGS.workspaceBytes).toBe(100 * 1024 * 1024);
    expect(() => spec({ limits: { ...DEFAULT_LIMITS, cpus: 1, memoryBytes: 512 * 1024 * 1024 } })).not.toThrow();
  });

  it("rejects unknown runtimes and empty images", () => {
    expect(() => spec({ runtime: "kata" as never })).toThrow(/unknown runtime/);
    expect(() => spec({ image: " " })).toThrow(/image/);
  });
});
