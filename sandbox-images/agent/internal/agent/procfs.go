package agent

import (
	"errors"
	"strconv"

	"golang.org/x/sys/unix"
)

// The tree scan at each run's exit reads /proc/<pid>/stat for every process in the container.
// os.Open and os.ReadFile cost about ten system calls per file (poller registration, fcntl,
// fstat, a second read for EOF); under gVisor's ptrace platform every system call is a trap of
// about 23 µs on our machines (0.6 µs under runc), so these read with the three that are needed.

// errProcTooLong: the record did not fit the buffer (never for a stat line; refused, not truncated).
var errProcTooLong = errors.New("proc record longer than the buffer")

// readProcRecord reads a procfs file of one record (stat, status) into buf with one read: procfs
// produces such a record whole on the first read when the buffer can hold it.
func readProcRecord(path string, buf []byte) ([]byte, error) {
	fd, err := openRetry(path, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == len(buf) {
			return nil, errProcTooLong
		}
		return buf[:n], nil
	}
}

// procPids lists the numeric entries of /proc: one open, getdents until the end, one close.
func procPids() []int {
	fd, err := openRetry("/proc", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return nil
	}
	defer unix.Close(fd)
	var pids []int
	buf := make([]byte, 16<<10)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return pids
		}
		var names []string
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
		for _, name := range names {
			if pid, err := strconv.Atoi(name); err == nil && pid > 0 {
				pids = append(pids, pid)
			}
		}
	}
}

func openRetry(path string, flags int) (int, error) {
	for {
		fd, err := unix.Open(path, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}
