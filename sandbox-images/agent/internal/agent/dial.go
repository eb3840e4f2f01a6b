package agent

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/sys/unix"
)

// The engine's second way in (issue 11): besides the exec's stdin/stdout, the agent dials a unix
// socket the engine listens on, in a per-container host directory bind-mounted read-only into the
// container, and serves the very same h2c service on that connection. Under runc the socket is the
// same kernel's: no dockerd, containerd-shim or exec pipes between the engine and the agent, which
// is where a round trip's time went. The agent dials rather than listens so the container gets no
// writable path on the host (the mount is read-only; connecting to a socket is not a write to the
// filesystem). The directory is 0700 and the socket 0600, both the engine's uid: sandbox code (uid
// 1000) cannot traverse it, so only the agent can connect, and the engine accepts one connection.
// The stdio connection stays: it ties the agent's life to the exec (stdin EOF stops it) and is the
// path wherever the socket does not reach (gVisor's gofer refuses host sockets by default).

// dialTimeout bounds the connect; a unix socket connects at once or not at all.
const dialTimeout = 2 * time.Second

// parseDial reads `unix:PATH` (the only network for now; TCP/vsock would be `--listen`).
func parseDial(spec string) (string, error) {
	path, ok := strings.CutPrefix(spec, "unix:")
	if !ok || !filepath.IsAbs(path) {
		return "", fmt.Errorf("--dial wants unix:/ABSOLUTE/PATH, got %q", spec)
	}
	return path, nil
}

// dialEngine connects to the engine's socket with the file-system uid and gid of the directory's
// owner: the agent is uid 0 without CAP_DAC_OVERRIDE, and the engine's directory is 0700 and its
// socket 0600 under the engine's own uid (0 when the engine runs as root, then nothing changes).
// setfsuid is per thread: the connect runs on a locked thread of its own goroutine, and a thread
// whose ids cannot be put back stays locked, so it ends with that goroutine.
func dialEngine(path string) (net.Conn, error) {
	info, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok || !info.IsDir() {
		return nil, errors.New("the socket's directory is not a directory")
	}
	d := net.Dialer{Timeout: dialTimeout}
	if int(st.Uid) == os.Geteuid() && int(st.Gid) == os.Getegid() {
		return d.Dial("unix", path)
	}
	type dialed struct {
		conn net.Conn
		err  error
	}
	done := make(chan dialed, 1)
	go func() {
		runtime.LockOSThread()
		unix.RawSyscall(unix.SYS_SETFSGID, uintptr(st.Gid), 0, 0)
		unix.RawSyscall(unix.SYS_SETFSUID, uintptr(st.Uid), 0, 0)
		conn, err := d.Dial("unix", path)
		unix.RawSyscall(unix.SYS_SETFSUID, uintptr(os.Geteuid()), 0, 0)
		unix.RawSyscall(unix.SYS_SETFSGID, uintptr(os.Getegid()), 0, 0)
		uidNow, _, _ := unix.RawSyscall(unix.SYS_SETFSUID, ^uintptr(0), 0, 0)
		gidNow, _, _ := unix.RawSyscall(unix.SYS_SETFSGID, ^uintptr(0), 0, 0)
		if int(uidNow) == os.Geteuid() && int(gidNow) == os.Getegid() {
			runtime.UnlockOSThread()
		}
		done <- dialed{conn, err}
	}()
	r := <-done
	return r.conn, r.err
}

// serveDialed serves the agent's handler on a connection to the engine until it closes. The
// engine treats that close as the agent's death; the agent itself lives on as long as its stdin.
func (a *Agent) serveDialed(conn net.Conn) {
	defer conn.Close()
	h2Server().ServeConn(conn, &http2.ServeConnOpts{Handler: a.Handler()})
	Log.Info("engine socket closed")
}
