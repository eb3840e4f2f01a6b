import { describe, expect, it } from "vitest";
import { evaluatePosture, parseNetDevInterfaces } from "./posture";

const SEP = "\n@@posture@@\n";
const netdev = "Inter-|   Receive\n face |bytes\n    lo:       0 0\n";
const probe = (status: string, uid = "1000", kernel = "6.18.0", dev = netdev, rootfs = "readonly", initUid = "0") =>
  [status, uid, kernel, dev, `Uid:\t${initUid}\t${initUid}\t${initUid}\t${initUid}`, rootfs].join(SEP);
const runcStatus = "CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\n";
const gvisorStatus = "CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nSeccomp:\t0\n";

const failing = (checks: { name: string; ok: boolean }[]) => checks.filter((c) => !c.ok).map((c) => c.name);

describe("evaluatePosture", () => {
  it("passes a hardened runc container", () => {
    const checks = evaluatePosture({ runtime: "runc", probeStdout: probe(runcStatus), inspectedRuntime: "runc", hostKernel: "6.18.0" });
    expect(failing(checks)).toEqual([]);
  });

  it("fails runc without seccomp, without no-new-privs, with caps, as root, with a network", () => {
    const bad = "CapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nNoNewPrivs:\t0\nSeccomp:\t0\n";
    const dev = netdev + "  eth0: 1 2\n";
    const checks = evaluatePosture({
      runtime: "runc",
      probeStdout: probe(bad, "0", "6.18.0", dev, "writable"),
      inspectedRuntime: "runc",
      hostKernel: "6.18.0",
    });
    expect(failing(checks)).toEqual(
      expect.arrayContaining(["uid-not-root", "capeff-zero", "capbnd-zero", "no-new-privs", "seccomp-filter", "network-loopback-only", "rootfs-read-only"]),
    );
  });

  it("passes gVisor without Seccomp/NoNewPrivs when its own kernel answers", () => {
    const checks = evaluatePosture({ runtime: "runsc", probeStdout: probe(gvisorStatus, "1000", "4.4.0"), inspectedRuntime: "runsc", hostKernel: "6.18.0" });
    expect(failing(checks)).toEqual([]);
  });

  it("fails 'runsc' when the host kernel answers or the daemon used runc", () => {
    const checks = evaluatePosture({ runtime: "runsc", probeStdout: probe(gvisorStatus, "1000", "6.18.0"), inspectedRuntime: "runc", hostKernel: "6.18.0" });
    expect(failing(checks)).toEqual(["runtime-is-runsc", "gvisor-kernel-answers"]);
  });

  it("fails when init runs as the sandbox user (its code could signal it: `kill 1`)", () => {
    const checks = evaluatePosture({
      runtime: "runc",
      probeStdout: probe(runcStatus, "1000", "6.18.0", netdev, "readonly", "1000"),
      inspectedRuntime: "runc",
      hostKernel: "6.18.0",
    });
    expect(failing(checks)).toEqual(["init-not-sandbox-user"]);
  });

  it("fails when the probe printed nothing", () => {
    expect(evaluatePosture({ runtime: "runc", probeStdout: "", inspectedRuntime: "runc", hostKernel: "x" }).every((c) => !c.ok)).toBe(true);
  });

  it("parses /proc/net/dev", () => {
    expect(parseNetDevInterfaces(netdev + "  eth0: 1\n")).toEqual(["lo", "eth0"]);
  });
});
