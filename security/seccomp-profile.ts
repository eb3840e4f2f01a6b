// Generates security/seccomp.json. Run: `npx tsx security/seccomp-profile.ts` (a unit test checks
// the committed JSON matches). Start: Docker's default allowlist (moby profiles/seccomp/default.json),
// taking only its unconditional entries (every capability is dropped, so the cap-gated ones never
// apply), then removing what a code sandbox does not need and attackers like.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Docker's default unconditional allowlist, minus REMOVED_FROM_DOCKER_DEFAULT below. */
const DOCKER_DEFAULT_ALLOW = `accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32
clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep
clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1
epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit
exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchown fchown32
fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64
fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_time64 futex_waitv futimesat getcpu getcwd getdents
getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid
getpgrp getpid getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32 getrlimit get_robust_list
getrusage getsid getsockname getsockopt get_thread_area gettid gettimeofday getuid getuid32 getxattr
inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents
io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit io_uring_enter io_uring_register io_uring_setup ipc
kill landlock_add_rule landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat listen
listxattr llistxattr _llseek lremovexattr lseek lsetxattr lstat lstat64 madvise membarrier memfd_create memfd_secret
mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open
mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl msgget msgrcv msgsnd
msync munlock munlockall munmap name_to_handle_at nanosleep newfstatat _newselect open openat openat2 pause
pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64
preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read readahead readlink
readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr rename renameat
renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn
rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr
sched_getparam sched_get_priority_max sched_get_priority_min sched_getscheduler sched_rr_get_interval
sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield seccomp
select semctl semget semop semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid
setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority setregid
setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit set_robust_list setsid
setsockopt set_thread_area set_tid_address setuid setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack
signalfd signalfd4 sigprocmask sigreturn socketcall socketpair splice stat stat64 statfs statfs64 statx symlink
symlinkat sync sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete timer_getoverrun
timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64
timerfd_settime timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat utime
utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write writev arch_prctl`
  .split(/\s+/)
  .filter(Boolean);

/** Allowed by Docker's default, refused here; the reason is why a sandbox is better without it. */
export const REMOVED_FROM_DOCKER_DEFAULT: Record<string, string> = {
  io_uring_setup: "io_uring: a large kernel attack surface with a history of LPEs; libuv falls back to threads",
  io_uring_enter: "io_uring",
  io_uring_register: "io_uring",
  vmsplice: "page-cache tricks (Dirty Pipe family); no runtime we ship needs it",
  remap_file_pages: "deprecated, emulated in-kernel, only exploit interest",
  name_to_handle_at: "file handles are the first half of open_by_handle_at escapes (shocker)",
  fanotify_mark: "filesystem-wide monitoring; nothing to watch in a sandbox",
  adjtimex: "clock tuning; read-only without CAP_SYS_TIME but unneeded",
  clock_adjtime: "clock tuning",
  clock_adjtime64: "clock tuning",
  mknod: "device nodes; CAP_MKNOD is dropped anyway, refuse earlier",
  mknodat: "device nodes",
  memfd_secret: "secret memory hidden from the kernel's own inspection; unneeded",
  mq_open: "POSIX message queues: kernel objects a sandbox does not need",
  mq_unlink: "POSIX message queues",
  mq_notify: "POSIX message queues (CVE-2021-26708-style bugs)",
  mq_getsetattr: "POSIX message queues",
  mq_timedsend: "POSIX message queues",
  mq_timedsend_time64: "POSIX message queues",
  mq_timedreceive: "POSIX message queues",
  mq_timedreceive_time64: "POSIX message queues",
};

/** Never allowed (Docker allows some with a capability we drop). Listed explicitly so the intent is visible. */
export const REFUSED_SYSCALLS = [
  "ptrace",
  "process_vm_readv",
  "process_vm_writev",
  "process_madvise",
  "pidfd_getfd",
  "kcmp",
  "keyctl",
  "add_key",
  "request_key",
  "bpf",
  "perf_event_open",
  "userfaultfd",
  "mount",
  "umount",
  "umount2",
  "pivot_root",
  "chroot",
  "move_mount",
  "open_tree",
  "fsopen",
  "fsconfig",
  "fsmount",
  "fspick",
  "mount_setattr",
  "unshare",
  "setns",
  "open_by_handle_at",
  "kexec_load",
  "kexec_file_load",
  "init_module",
  "finit_module",
  "delete_module",
  "reboot",
  "swapon",
  "swapoff",
  "acct",
  "quotactl",
  "quotactl_fd",
  "lookup_dcookie",
  "syslog",
  "sethostname",
  "setdomainname",
  "settimeofday",
  "stime",
  "clock_settime",
  "clock_settime64",
  "iopl",
  "ioperm",
  "modify_ldt",
  "vhangup",
  "nfsservctl",
  "uselib",
  "ustat",
  "sysfs",
  "_sysctl",
  "fanotify_init",
  "get_mempolicy",
  "set_mempolicy",
  "mbind",
  "move_pages",
  "migrate_pages",
  ...Object.keys(REMOVED_FROM_DOCKER_DEFAULT),
];

// CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET (0x7E020000): clone is allowed only
// when none of these bits is set, so no process can create a namespace.
export const CLONE_NAMESPACE_FLAGS = 0x7e020000;
// Docker's default personality values: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, query.
const PERSONALITY_ALLOWED = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];
// AF_UNIX, AF_INET, AF_INET6 (loopback only: no interface but lo), AF_NETLINK (getifaddrs, which
// os.networkInterfaces() and Vite's banner use). Everything else (AF_PACKET, AF_VSOCK, AF_ALG…) refused.
const SOCKET_FAMILIES = [1, 2, 10, 16];
const ENOSYS = 38;
const EPERM = 1;

export interface SeccompRule {
  names: string[];
  action: "SCMP_ACT_ALLOW" | "SCMP_ACT_ERRNO";
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo?: number; op: string }[];
  comment?: string;
}

export interface SeccompProfile {
  defaultAction: "SCMP_ACT_ERRNO";
  archMap: { architecture: string; subArchitectures: string[] }[];
  syscalls: SeccompRule[];
}

export function buildSeccompProfile(): SeccompProfile {
  const refused = new Set(REFUSED_SYSCALLS);
  const allow = DOCKER_DEFAULT_ALLOW.filter((n) => !refused.has(n)).sort();
  return {
    defaultAction: "SCMP_ACT_ERRNO",
    archMap: [
      { architecture: "SCMP_ARCH_X86_64", subArchitectures: ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
      { architecture: "SCMP_ARCH_AARCH64", subArchitectures: ["SCMP_ARCH_ARM"] },
    ],
    syscalls: [
      { names: allow, action: "SCMP_ACT_ALLOW", comment: "Docker's default unconditional allowlist minus REMOVED_FROM_DOCKER_DEFAULT" },
      {
        names: ["clone"],
        action: "SCMP_ACT_ALLOW",
        args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }],
        comment: "threads and fork, never with a namespace flag (x86_64 and aarch64: flags are arg 0)",
      },
      {
        names: ["clone3"],
        action: "SCMP_ACT_ERRNO",
        errnoRet: ENOSYS,
        comment: "flags live in a struct seccomp cannot read: ENOSYS makes glibc fall back to the filtered clone",
      },
      ...PERSONALITY_ALLOWED.map((value) => ({
        names: ["personality"],
        action: "SCMP_ACT_ALLOW" as const,
        args: [{ index: 0, value, op: "SCMP_CMP_EQ" }],
      })),
      ...SOCKET_FAMILIES.map((value) => ({
        names: ["socket"],
        action: "SCMP_ACT_ALLOW" as const,
        args: [{ index: 0, value, op: "SCMP_CMP_EQ" }],
      })),
      { names: [...new Set(REFUSED_SYSCALLS)].sort(), action: "SCMP_ACT_ERRNO", errnoRet: EPERM, comment: "refused on purpose (see THREAT_MODEL.md)" },
    ],
  };
}

export const SECCOMP_JSON_PATH = fileURLToPath(new URL("./seccomp.json", import.meta.url));

export function seccompProfileJson(): string {
  return JSON.stringify(buildSeccompProfile(), null, 2) + "\n";
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], "file://").href) {
  writeFileSync(SECCOMP_JSON_PATH, seccompProfileJson());
  console.log(`wrote ${SECCOMP_JSON_PATH}`);
}
