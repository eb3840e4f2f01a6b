package agent

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	"connectrpc.com/connect"
	"golang.org/x/sys/unix"
)

// fsRoot confines every file operation to the workspace.
//
// Paths arrive as bytes ('/'-separated, relative); '..', absolute paths, NUL and empty names are
// refused before any system call. Resolution then never leaves the root: with openat2 and
// RESOLVE_BENEATH where the kernel has it (symlinks that stay inside are followed, any escape
// fails with EXDEV), otherwise a walk one component at a time with O_NOFOLLOW, which refuses every
// symlink in the path (gVisor's openat2 support varies; the walk is the stricter of the two).
//
// Operations run with the sandbox user's filesystem ids (setfsuid/setfsgid on a locked thread):
// files the agent creates belong to 1000:1000 without chown, and the agent can read or change
// nothing the sandbox user could not, so it needs neither CAP_CHOWN nor CAP_DAC_OVERRIDE.
type fsRoot struct {
	dir      string
	fd       int
	beneath  bool
	uid, gid int
}

var errEscape = errors.New("path leaves the workspace")

func openFSRoot(dir string, uid, gid int) (*fsRoot, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	r := &fsRoot{dir: dir, fd: fd, uid: uid, gid: gid}
	if os.Getenv("PANTHEON_AGENT_NO_OPENAT2") == "" {
		probe, err := unix.Openat2(fd, ".", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_BENEATH})
		if err == nil {
			unix.Close(probe)
			r.beneath = true
		}
	}
	return r, nil
}

// splitRel validates a wire path and returns its components ("" and "." dropped).
func splitRel(p []byte) ([]string, error) {
	if bytes.IndexByte(p, 0) >= 0 {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("path contains NUL"))
	}
	if len(p) > 0 && p[0] == '/' {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("absolute path"))
	}
	if len(p) > 4096 {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("path too long"))
	}
	var parts []string
	for _, c := range strings.Split(string(p), "/") {
		switch c {
		case "", ".":
			continue
		case "..":
			return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("path contains '..'"))
		}
		if len(c) > 255 {
			return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("name too long"))
		}
		parts = append(parts, c)
	}
	return parts, nil
}

// asSandbox runs fn on a thread whose filesystem ids are the sandbox user's. The thread is locked
// for the duration; if the ids cannot be restored, the thread stays locked and dies with the
// goroutine (the runtime never reuses it; new threads are cloned from a clean template thread).
//
// Linux: setfsuid/setfsgid. gVisor has no setfsuid, so there the thread's effective ids change
// instead (setresuid(-1, uid, -1): the real and saved uid stay 0, so the way back is open and
// sandbox processes still cannot signal the agent, whose real and saved uid are 0). Both are raw
// system calls on purpose: Go's syscall.Setresuid would change every thread of the agent.
func (r *fsRoot) asSandbox(fn func() error) error {
	if os.Geteuid() != 0 || r.uid == 0 {
		return fn()
	}
	runtime.LockOSThread()
	if err := r.becomeSandbox(); err != nil {
		r.restoreRoot() // best effort; the check below decides whether the thread is clean
		if r.threadIsRoot() {
			runtime.UnlockOSThread()
		}
		return connect.NewError(connect.CodeInternal, err)
	}
	err := fn()
	r.restoreRoot()
	if r.threadIsRoot() {
		runtime.UnlockOSThread()
	} // else: stay locked, so the goroutine's exit takes the thread with it
	return err
}

// fsidMode: 1 setfsuid works, 2 use effective ids; decided once.
var fsidMode = sync.OnceValue(func() int {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	unix.RawSyscall(unix.SYS_SETFSUID, 1000, 0, 0)
	cur, _, _ := unix.RawSyscall(unix.SYS_SETFSUID, ^uintptr(0), 0, 0)
	unix.RawSyscall(unix.SYS_SETFSUID, 0, 0, 0)
	if int(cur) == 1000 {
		return 1
	}
	return 2
})

func (r *fsRoot) becomeSandbox() error {
	if fsidMode() == 1 {
		unix.RawSyscall(unix.SYS_SETFSGID, uintptr(r.gid), 0, 0)
		unix.RawSyscall(unix.SYS_SETFSUID, uintptr(r.uid), 0, 0)
		if cur, _, _ := unix.RawSyscall(unix.SYS_SETFSUID, ^uintptr(0), 0, 0); int(cur) != r.uid {
			return errors.New("setfsuid failed")
		}
		return nil
	}
	keep := ^uintptr(0)
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, keep, uintptr(r.gid), keep); e != 0 {
		return fmt.Errorf("setresgid: %w", e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, keep, uintptr(r.uid), keep); e != 0 {
		return fmt.Errorf("setresuid: %w", e)
	}
	return nil
}

func (r *fsRoot) restoreRoot() {
	if fsidMode() == 1 {
		unix.RawSyscall(unix.SYS_SETFSUID, 0, 0, 0)
		unix.RawSyscall(unix.SYS_SETFSGID, 0, 0, 0)
		return
	}
	keep := ^uintptr(0)
	unix.RawSyscall(unix.SYS_SETRESUID, keep, 0, keep)
	unix.RawSyscall(unix.SYS_SETRESGID, keep, 0, keep)
}

// threadIsRoot: this thread's effective and filesystem ids are 0 again.
func (r *fsRoot) threadIsRoot() bool {
	if fsidMode() == 1 {
		u, _, _ := unix.RawSyscall(unix.SYS_SETFSUID, ^uintptr(0), 0, 0)
		g, _, _ := unix.RawSyscall(unix.SYS_SETFSGID, ^uintptr(0), 0, 0)
		return u == 0 && g == 0
	}
	eu, _, _ := unix.RawSyscall(unix.SYS_GETEUID, 0, 0, 0)
	eg, _, _ := unix.RawSyscall(unix.SYS_GETEGID, 0, 0, 0)
	return eu == 0 && eg == 0
}

// openDir opens (O_PATH) the directory made of parts, creating missing ones when mkdir.
func (r *fsRoot) openDir(parts []string, mkdir bool) (int, error) {
	if len(parts) == 0 {
		return unix.Dup(r.fd)
	}
	if r.beneath && !mkdir {
		fd, err := unix.Openat2(r.fd, strings.Join(parts, "/"), &unix.OpenHow{
			Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
			Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
		})
		return fd, mapErr(err)
	}
	cur, err := unix.Dup(r.fd)
	if err != nil {
		return -1, err
	}
	for _, c := range parts {
		next, err := r.openChildDir(cur, c)
		if errors.Is(err, unix.ENOENT) && mkdir {
			if err = unix.Mkdirat(cur, c, 0o755); err == nil || errors.Is(err, unix.EEXIST) {
				next, err = r.openChildDir(cur, c)
			}
		}
		unix.Close(cur)
		if err != nil {
			return -1, mapErr(err)
		}
		cur = next
	}
	return cur, nil
}

func (r *fsRoot) openChildDir(dirfd int, name string) (int, error) {
	if r.beneath {
		return unix.Openat2(dirfd, name, &unix.OpenHow{
			Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
			Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
		})
	}
	fd, err := unix.Openat(dirfd, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOTDIR) {
		// O_PATH|O_NOFOLLOW opens a symlink itself, and O_DIRECTORY then says ENOTDIR: say why.
		var st unix.Stat_t
		if unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
			return -1, unix.ELOOP
		}
	}
	return fd, err
}

// parent opens the parent directory of a path and returns it with the last name. An empty path
// (the root itself) has no parent: errRoot.
func (r *fsRoot) parent(p []byte, mkdir bool) (int, string, error) {
	parts, err := splitRel(p)
	if err != nil {
		return -1, "", err
	}
	if len(parts) == 0 {
		return -1, "", connect.NewError(connect.CodeInvalidArgument, errors.New("the workspace root itself"))
	}
	fd, err := r.openDir(parts[:len(parts)-1], mkdir)
	if err != nil {
		return -1, "", err
	}
	return fd, parts[len(parts)-1], nil
}

// openFile opens a file for reading beneath the root (inside symlinks followed with openat2,
// refused by the walk).
func (r *fsRoot) openFile(p []byte) (*os.File, error) {
	parts, err := splitRel(p)
	if err != nil {
		return nil, err
	}
	var fd int
	if r.beneath {
		fd, err = unix.Openat2(r.fd, strings.Join(append([]string{"."}, parts...), "/"), &unix.OpenHow{
			Flags:   unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NOCTTY | unix.O_NONBLOCK,
			Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
		})
	} else {
		var dir int
		var name string
		dir, name, err = r.parent(p, false)
		if err != nil {
			return nil, err
		}
		fd, err = unix.Openat(dir, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
		unix.Close(dir)
	}
	if err != nil {
		return nil, mapErr(err)
	}
	// O_NONBLOCK above: opening a FIFO must not hang; clear it for regular reads.
	_ = unix.SetNonblock(fd, false)
	return os.NewFile(uintptr(fd), string(p)), nil
}

// mapErr turns errno into Connect codes the host can act on.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return err
	}
	switch {
	case errors.Is(err, unix.ENOENT):
		return connect.NewError(connect.CodeNotFound, err)
	case errors.Is(err, unix.EXDEV), errors.Is(err, unix.ELOOP):
		return connect.NewError(connect.CodePermissionDenied, fmt.Errorf("%w (%v)", errEscape, err))
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return connect.NewError(connect.CodePermissionDenied, err)
	case errors.Is(err, unix.EEXIST), errors.Is(err, unix.ENOTEMPTY):
		return connect.NewError(connect.CodeAlreadyExists, err)
	case errors.Is(err, unix.ENOTDIR), errors.Is(err, unix.EISDIR), errors.Is(err, unix.EINVAL):
		return connect.NewError(connect.CodeFailedPrecondition, err)
	case errors.Is(err, unix.ENOSPC), errors.Is(err, unix.EDQUOT), errors.Is(err, unix.EFBIG):
		return connect.NewError(connect.CodeResourceExhausted, err)
	}
	return connect.NewError(connect.CodeInternal, err)
}
