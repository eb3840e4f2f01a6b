package agent

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// LaunchArg is argv[1] of the agent re-executed as the launcher of one sandbox process.
const LaunchArg = "__launch"

// LaunchEmptyWrites is the launcher's FILTER argument that installs emptywrite.go's filter.
const LaunchEmptyWrites = "empty-writes"

// Between fork and the sandbox program's execve, still as uid 0 (Go's ForkExec has no hook for
// this, hence a re-exec of the agent's own binary):
//  1. oom_score_adj := 1000 (raising needs no privilege): a memory bomb dies, not the agent;
//  2. RLIMIT_NPROC when configured (a fork bomb stops below the pids limit, see Config.ChildNproc);
//  3. drop the whole capability bounding set (needs CAP_SETPCAP, which is then gone too);
//  4. setgroups([]), setresgid, setresuid to the sandbox ids: permitted, effective and ambient
//     capabilities are cleared by the kernel on the uid change, inheritable is cleared explicitly;
//  5. PR_SET_NO_NEW_PRIVS (already set container-wide by no-new-privileges; set again regardless);
//  6. with FILTER = LaunchEmptyWrites, the seccomp filter of emptywrite.go (terminal processes
//     where the kernel blocks empty terminal writes);
//  7. chdir as the sandbox user (so it needs the user's own access), then execve.
//
// Run as the sandbox user instead (the direct launch's way to install the filter, see
// processTable.start), steps 3 and 4 are skipped: there is nothing left to drop.
//
// Failures print one line on stderr and exit 126 (cannot run) / 127 (not found), like a shell.
//
// argv: __launch UID GID OOM_ADJ NPROC FILTER CWD PATH ARGV0 ARGS...
func LaunchMain(args []string) {
	fail := func(code int, format string, a ...any) {
		fmt.Fprintf(os.Stderr, "pantheon-agent: "+format+"\n", a...)
		os.Exit(code)
	}
	if len(args) < 8 {
		fail(126, "launch: bad arguments")
	}
	runtime.LockOSThread()
	uid, _ := strconv.Atoi(args[0])
	gid, _ := strconv.Atoi(args[1])
	oomAdj := args[2]
	nproc, _ := strconv.ParseUint(args[3], 10, 64)
	filter, cwd, path, argv := args[4], args[5], args[6], args[7:]

	if oomAdj != "" {
		if err := os.WriteFile("/proc/self/oom_score_adj", []byte(oomAdj), 0); err != nil {
			fail(126, "oom_score_adj: %v", err)
		}
	}
	if nproc > 0 {
		if err := unix.Setrlimit(unix.RLIMIT_NPROC, &unix.Rlimit{Cur: nproc, Max: nproc}); err != nil {
			fail(126, "RLIMIT_NPROC: %v", err)
		}
	}
	if os.Getuid() == 0 {
		if err := dropBoundingSet(); err != nil {
			fail(126, "dropping capabilities: %v", err)
		}
		if err := syscall.Setgroups(nil); err != nil {
			fail(126, "setgroups: %v", err)
		}
		if err := syscall.Setresgid(gid, gid, gid); err != nil {
			fail(126, "setresgid: %v", err)
		}
		if err := syscall.Setresuid(uid, uid, uid); err != nil {
			fail(126, "setresuid: %v", err)
		}
		if err := clearInheritable(); err != nil {
			fail(126, "capset: %v", err)
		}
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fail(126, "no_new_privs: %v", err)
	}
	if filter == LaunchEmptyWrites {
		// Without it the program still runs, as it would have before: only an empty terminal
		// write would block.
		_ = installEmptyWriteFilter()
	}
	if err := os.Chdir(cwd); err != nil {
		fail(126, "cd %s: %v", cwd, unwrapErrno(err))
	}
	err := syscall.Exec(path, argv, os.Environ())
	code := 126
	if err == syscall.ENOENT {
		code = 127
	}
	fail(code, "%s: %v", argv[0], err)
}

// prepareDirectLaunch narrows the agent itself so that a plain fork+exec with a uid change gives
// sandbox code nothing: every thread's capability bounding set emptied (the agent keeps its
// permitted and effective sets: the bounding set only limits what an execve can grant), no_new_privs
// on every thread, inheritable capabilities verified empty, and RLIMIT_NPROC lowered to the
// children's limit (process-wide, inherited by children; see below). AllThreadsSyscall reaches every OS thread, so no thread forks with more; it is
// refused in cgo builds (the agent is built with CGO_ENABLED=0), and then the launcher is used.
func prepareDirectLaunch(nproc uint64) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("not root")
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	if data[0].Inheritable != 0 || data[1].Inheritable != 0 {
		return fmt.Errorf("inheritable capabilities are not empty")
	}
	for c := 0; c <= lastCap(); c++ {
		if _, _, e := syscall.AllThreadsSyscall(syscall.SYS_PRCTL, unix.PR_CAPBSET_DROP, uintptr(c), 0); e != 0 && e != syscall.EINVAL {
			return fmt.Errorf("PR_CAPBSET_DROP %d: %w", c, e)
		}
	}
	if _, _, e := syscall.AllThreadsSyscall(syscall.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0); e != 0 {
		return fmt.Errorf("PR_SET_NO_NEW_PRIVS: %w", e)
	}
	if nproc > 0 {
		// Children inherit the agent's RLIMIT_NPROC. The agent's own forks are checked against it
		// too (counting uid 0's tasks, its own threads included), so it lowers it only when
		// CAP_SYS_RESOURCE exempts it (the runsc spec grants it); otherwise sandbox code keeps
		// the container's limit.
		if data[0].Effective&(1<<unix.CAP_SYS_RESOURCE) == 0 {
			Log.Warn("no CAP_SYS_RESOURCE: sandbox code keeps the container's RLIMIT_NPROC", "wanted", nproc)
			return nil
		}
		if err := unix.Setrlimit(unix.RLIMIT_NPROC, &unix.Rlimit{Cur: nproc, Max: nproc}); err != nil {
			return fmt.Errorf("RLIMIT_NPROC: %w", err)
		}
	}
	return nil
}

// SandboxExecMain: `sandbox-exec [--run-as UID:GID] [--cwd DIR] -- ARGV...`, the launcher run
// directly (no fork): the command replaces this process.
func SandboxExecMain(args []string) {
	fs := flag.NewFlagSet("sandbox-exec", flag.ExitOnError)
	runAs := fs.String("run-as", "1000:1000", "uid:gid")
	cwd := fs.String("cwd", "/workspace", "working directory")
	_ = fs.Parse(args)
	argv := fs.Args()
	uid, gid, err := parseIDs(*runAs)
	if err != nil || len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "usage: pantheon-agent sandbox-exec [--run-as UID:GID] [--cwd DIR] -- ARGV...")
		os.Exit(2)
	}
	path, err := lookPath(argv[0], os.Environ())
	if err != nil {
		fmt.Fprintln(os.Stderr, "pantheon-agent:", err)
		os.Exit(127)
	}
	LaunchMain(append([]string{strconv.Itoa(uid), strconv.Itoa(gid), "1000", "0", "", *cwd, path}, argv...))
}

func dropBoundingSet() error {
	last := lastCap()
	for c := 0; c <= last; c++ {
		// PR_CAPBSET_DROP is per thread; this thread is the one that execs (LockOSThread above).
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil && err != unix.EINVAL {
			return fmt.Errorf("cap %d: %w", c, err)
		}
	}
	return nil
}

var lastCapOnce = sync.OnceValue(func() int {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err == nil {
		if n, err := strconv.Atoi(string(trimNL(b))); err == nil && n > 0 && n < 64 {
			return n
		}
	}
	return 40 // CAP_CHECKPOINT_RESTORE, the last one as of Linux 6.x
})

func lastCap() int { return lastCapOnce() }

func clearInheritable() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return err
	}
	if data[0].Inheritable == 0 && data[1].Inheritable == 0 {
		return nil
	}
	data[0].Inheritable, data[1].Inheritable = 0, 0
	return unix.Capset(&hdr, &data[0])
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

func unwrapErrno(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// warmThreads makes the Go runtime create OS threads now and keep them idle: when a fork bomb of
// sandbox code has used the whole pids limit, the runtime must not need a new thread (it aborts
// the process when clone fails). Idle threads are kept by the runtime and reused.
func warmThreads() {
	const n = 12
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for range n {
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			ready.Done()
			<-release
			runtime.UnlockOSThread()
		}()
	}
	ready.Wait()
	close(release)
	done.Wait()
}
