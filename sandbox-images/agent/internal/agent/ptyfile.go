package agent

import (
	"os"

	"golang.org/x/sys/unix"

	"pantheon/agent/gen/agentv1"
)

// creack/pty's ioctls go through (*os.File).Fd(), which puts the descriptor in blocking mode, and a
// blocking file ignores read deadlines. Under gVisor a terminal master's read does not end (EIO)
// when the last slave closes, so the read deadline that onExit sets is the only thing that ends the
// output pump, and without it a terminal process's exit is never reported. The master is therefore
// made non-blocking again and wrapped as a pollable file, and later ioctls go through
// SyscallConn, which leaves the mode alone.

// pollableMaster returns f as a non-blocking, pollable file (f is closed), or f itself if that fails.
func pollableMaster(f *os.File) *os.File {
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		return f
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		_ = unix.Close(fd)
		return f
	}
	unix.CloseOnExec(fd)
	nf := os.NewFile(uintptr(fd), f.Name())
	_ = f.Close()
	return nf
}

// setWinsize sets a terminal's size without touching its blocking mode.
func setWinsize(f *os.File, s *agentv1.Pty) error {
	ws := winsize(s)
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ioErr error
	if err := conn.Control(func(fd uintptr) {
		ioErr = unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, &unix.Winsize{Row: ws.Rows, Col: ws.Cols})
	}); err != nil {
		return err
	}
	return ioErr
}
