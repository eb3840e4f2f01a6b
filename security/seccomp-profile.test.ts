import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLONE_NAMESPACE_FLAGS, SECCOMP_JSON_PATH, seccompProfileJson, type SeccompProfile } from "./seccomp-profile";

const profile = JSON.parse(readFileSync(SECCOMP_JSON_PATH, "utf8")) as SeccompProfile;
const allowed = new Set(profile.syscalls.filter((r) => r.action === "SCMP_ACT_ALLOW" && !r.args).flatMap((r) => r.names));

describe("security/seccomp.json", () => {
  it("is what seccomp-profile.ts generates (regenerate with `npx tsx security/seccomp-profile.ts`)", () => {
    expect(readFileSync(SECCOMP_JSON_PATH, "utf8")).toBe(seccompProfileJson());
  });

  it("denies by default", () => {
    expect(profile.defaultAction).toBe("SCMP_ACT_ERRNO");
  });

  it.each([
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "mount",
    "umount2",
    "pivot_root",
    "unshare",
    "setns",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "open_by_handle_at",
  ])("never allows %s", (name) => {
    expect(allowed.has(name)).toBe(false);
    expect(profile.syscalls.some((r) => r.action === "SCMP_ACT_ALLOW" && r.names.includes(name))).toBe(false);
  });

  it("allows clone only without namespace flags, and answers clone3 with ENOSYS", () => {
    const clone = profile.syscalls.filter((r) => r.names.includes("clone"));
    expect(clone).toHaveLength(1);
    expect(clone[0]!.args).toEqual([{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }]);
    expect(CLONE_NAMESPACE_FLAGS & 0x10000000).toBeTruthy(); // CLONE_NEWUSER
    const clone3 = profile.syscalls.find((r) => r.names.includes("clone3"));
    expect(clone3).toMatchObject({ action: "SCMP_ACT_ERRNO", errnoRet: 38 });
  });

  it("allows personality only with Docker's default values", () => {
    const values = profile.syscalls.filter((r) => r.names.includes("personality")).map((r) => r.args?.[0]?.value);
    expect(values.sort()).toEqual([0, 8, 0x20000, 0x20008, 0xffffffff].sort());
  });

  it("keeps what the runtimes need", () => {
    for (const name of ["read", "write", "openat", "mmap", "futex", "epoll_pwait", "execve", "wait4", "rt_sigaction", "arch_prctl", "statx"]) {
      expect(allowed.has(name), name).toBe(true);
    }
  });
});
