package agent

import (
	"runtime"
	"unsafe"

	"github.com/creack/pty"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// gVisor before release 2024-02 (google/gvisor#9955, fixed by #9956; this host runs runsc
// 20221219) answers a zero-length write(2) on a terminal with EAGAIN instead of 0: the replica's
// output queue took "0 bytes written" for "no room". A blocking writer then waits for room, and
// each retry writes 0 bytes again: forever. npm does exactly that at exit: it makes its terminal blocking
// (lib/utils/display.js setBlocking) and flushes with process.stderr.write("", cb) before
// process.exit (lib/cli/exit-handler.js), so `npm --version` printed its version and never
// returned (nor did `npx vitest run` in a terminal); python -u does it for print("", end="").
// The program's own syscall cannot be changed, and no terminal setting avoids the check, so
// terminal processes get a seccomp filter (installed between fork and exec, see LaunchMain) that
// answers write/writev/pwritev2 with a zero count as Linux does, with 0, without entering the
// kernel. SECCOMP_RET_ERRNO with errno 0 means exactly that ("return 0") under Linux and gVisor.
//
// What it changes for those processes: a zero-count write no longer reports EBADF/EINVAL for a bad
// descriptor and sends no empty datagram on a datagram socket through write(2) (send/sendto/
// sendmsg are not filtered). A writev whose vectors are all empty is not caught (BPF cannot read
// the vectors); libuv and CPython issue write(2) for a single empty buffer. The filter is only
// installed where emptyTerminalWriteBlocks found the bug, so runc and a fixed gVisor run unchanged.

// emptyTerminalWriteBlocks reports whether a zero-length write to a terminal fails with EAGAIN on
// this kernel (gVisor's bug above), with a pty of its own: a non-blocking empty write must return 0.
func emptyTerminalWriteBlocks() bool {
	master, replica, err := pty.Open()
	if err != nil {
		return false
	}
	defer master.Close()
	defer replica.Close()
	fd := int(replica.Fd())
	if err := unix.SetNonblock(fd, true); err != nil {
		return false
	}
	_, err = unix.Write(fd, nil)
	return err == unix.EAGAIN
}

// seccomp_data: nr (u32) at 0, arch (u32) at 4, instruction pointer at 8, then six u64 arguments
// from 16, each as two native-endian words (amd64 and arm64 are little-endian: low word first).
const (
	seccompNrOff      = 0
	seccompArchOff    = 4
	seccompArg2LowOff = 16 + 2*8
	seccompArg2HiOff  = seccompArg2LowOff + 4
)

// emptyWriteAuditArch is the AUDIT_ARCH of this build's syscall numbers, or 0 where the filter is
// not defined (the filter then is not installed).
func emptyWriteAuditArch() uint32 {
	switch runtime.GOARCH {
	case "amd64":
		return unix.AUDIT_ARCH_X86_64
	case "arm64":
		return unix.AUDIT_ARCH_AARCH64
	}
	return 0
}

// emptyWriteFilter: write, writev and pwritev2 whose third argument (count, or number of vectors)
// is 0 return 0; every other call, and every call of another ABI, is allowed.
func emptyWriteFilter(arch uint32) []bpf.Instruction {
	// Indexes of the two returns, and a jump's skip count from one instruction to another.
	const allow, empty = 10, 11
	to := func(from, target uint8) uint8 { return target - from - 1 }
	return []bpf.Instruction{
		/* 0 */ bpf.LoadAbsolute{Off: seccompArchOff, Size: 4},
		/* 1 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: arch, SkipFalse: to(1, allow)},
		/* 2 */ bpf.LoadAbsolute{Off: seccompNrOff, Size: 4},
		/* 3 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_WRITE, SkipTrue: to(3, 6)},
		/* 4 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_WRITEV, SkipTrue: to(4, 6)},
		/* 5 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_PWRITEV2, SkipFalse: to(5, allow)},
		/* 6 */ bpf.LoadAbsolute{Off: seccompArg2LowOff, Size: 4},
		/* 7 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipFalse: to(7, allow)},
		/* 8 */ bpf.LoadAbsolute{Off: seccompArg2HiOff, Size: 4},
		/* 9 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipTrue: to(9, empty), SkipFalse: to(9, allow)},
		/* 10 */ bpf.RetConstant{Val: unix.SECCOMP_RET_ALLOW},
		/* 11 */ bpf.RetConstant{Val: unix.SECCOMP_RET_ERRNO | 0},
	}
}

// installEmptyWriteFilter puts emptyWriteFilter on the calling thread (an execve from it keeps the
// filter, and every child inherits it). The caller has set PR_SET_NO_NEW_PRIVS, which lets an
// unprivileged process install a filter.
func installEmptyWriteFilter() error {
	arch := emptyWriteAuditArch()
	if arch == 0 {
		return nil
	}
	raw, err := bpf.Assemble(emptyWriteFilter(arch))
	if err != nil {
		return err
	}
	prog := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		prog[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if _, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog))); e != 0 {
		return e
	}
	return nil
}
