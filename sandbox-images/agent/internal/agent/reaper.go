package agent

import (
	"os"
	"os/signal"
	"sync"

	"golang.org/x/sys/unix"
)

// The agent reaps every child itself with wait4(-1): its own processes (for their exit status and
// rusage) and the orphans it adopts as child subreaper. Nothing in the agent uses os/exec's Wait, so
// there is no race over who reaps a pid. reapMu is held across fork + registration, so a child that
// exits at once is never reaped before its table entry exists.
var (
	reapMu     sync.Mutex
	reapByPid  = map[int]func(unix.WaitStatus, *unix.Rusage){}
	reapSignal = make(chan os.Signal, 64)
)

func reapLoop() {
	signal.Notify(reapSignal, unix.SIGCHLD)
	for range reapSignal {
		reapAll()
	}
}

func reapAll() {
	reapMu.Lock()
	defer reapMu.Unlock()
	for {
		var ws unix.WaitStatus
		var ru unix.Rusage
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, &ru)
		if err == unix.EINTR {
			continue
		}
		if pid <= 0 || err != nil {
			return
		}
		if fn, ok := reapByPid[pid]; ok {
			delete(reapByPid, pid)
			go fn(ws, &ru)
		}
	}
}
