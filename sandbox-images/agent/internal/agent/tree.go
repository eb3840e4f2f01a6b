package agent

import (
	"bytes"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

type procStat struct {
	ppid, sid int
	start     uint64
	zombie    bool
}

// readProcStat parses /proc/<pid>/stat (the command name may hold spaces and parentheses: the
// fields start after its last ')').
func readProcStat(pid int) (procStat, bool) {
	var buf [2048]byte
	b, err := readProcRecord("/proc/"+strconv.Itoa(pid)+"/stat", buf[:])
	if err != nil {
		return procStat{}, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := bytes.Fields(b[i+1:])
	// f[0]=state(3) f[1]=ppid(4) f[2]=pgrp(5) f[3]=session(6) … f[19]=starttime(22)
	if len(f) < 20 {
		return procStat{}, false
	}
	ppid, _ := strconv.Atoi(string(f[1]))
	sid, _ := strconv.Atoi(string(f[3]))
	start, _ := strconv.ParseUint(string(f[19]), 10, 64)
	return procStat{ppid: ppid, sid: sid, start: start, zombie: f[0][0] == 'Z' || f[0][0] == 'X'}, true
}

func procUID(pid int) int {
	var st unix.Stat_t
	if unix.Stat("/proc/"+strconv.Itoa(pid), &st) != nil {
		return -1
	}
	return int(st.Uid)
}

func procStartTick(pid int) uint64 {
	st, _ := readProcStat(pid)
	return st.start
}

func scanProcs() map[int]procStat {
	out := map[int]procStat{}
	for _, pid := range procPids() {
		if st, ok := readProcStat(pid); ok {
			out[pid] = st
		}
	}
	return out
}

// treePids: the process's descendants by parentage, members of its session, and orphans the agent
// adopted (parent = the agent, not a process the agent started) that started after it and their
// descendants (without subreaper support, as under gVisor: orphans of the sandbox uid adopted by
// PID 1). Adoption erases who the parent was, so an orphan that started while two processes
// ran is counted in both trees: a tree kill can take another process's daemonized leftovers, never
// leaves one of its own. Zombies are left to the reaper.
func treePids(p *process) []int {
	all := scanProcs()
	// After the scan, not before the kill's first round: a process the agent starts while a tree
	// kill runs is its child too, and must be known as started, not taken for an adopted orphan
	// (the IDE's shell closed as a dev server started, and the dev server died with the shell).
	managed := startedPids(p.pid)
	self := os.Getpid()
	children := map[int][]int{}
	for pid, st := range all {
		children[st.ppid] = append(children[st.ppid], pid)
	}
	in := map[int]bool{}
	var queue []int
	add := func(pid int) {
		if !in[pid] && pid != self && pid != 1 {
			in[pid] = true
			queue = append(queue, pid)
		}
	}
	if p.running() {
		add(p.pid)
	}
	for pid, st := range all {
		if st.sid == p.pid {
			add(pid)
		}
		if st.start >= p.startTick && !managed[pid] && (st.ppid == self || (!isSubreaper && st.ppid == 1 && p.table != nil && procUID(pid) == p.table.a.cfg.UID)) {
			add(pid)
		}
	}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		for _, c := range children[pid] {
			add(c)
		}
	}
	var out []int
	for pid := range in {
		if st, ok := all[pid]; ok && !st.zombie {
			out = append(out, pid)
		}
	}
	return out
}

// startedPids: the processes the agent started and has not reaped, except `except`. Fork and
// registration happen together under reapMu (processTable.start), so every child of the agent that
// a /proc scan before this call saw and that the agent started is in the answer.
func startedPids(except int) map[int]bool {
	reapMu.Lock()
	defer reapMu.Unlock()
	m := make(map[int]bool, len(reapByPid))
	for pid := range reapByPid {
		if pid != except {
			m[pid] = true
		}
	}
	return m
}

// signalGroup sends sig to the process's group (it is a session and group leader: setsid).
func signalGroup(p *process, sig unix.Signal) error {
	err := unix.Kill(-p.pid, sig)
	if err == unix.ESRCH {
		err = unix.Kill(p.pid, sig)
	}
	if err == unix.ESRCH {
		return nil // already gone
	}
	return err
}

// killTree signals the whole tree. For SIGKILL it repeats until no member is left, so children
// forked between a scan and the kill (a fork bomb) are caught by the next round.
func killTree(p *process, sig unix.Signal) {
	_ = signalGroup(p, sig)
	for round := 0; round < 200; round++ {
		pids := treePids(p)
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			_ = unix.Kill(pid, sig)
		}
		if sig != unix.SIGKILL {
			return
		}
		time.Sleep(time.Duration(min(round+1, 10)) * time.Millisecond)
	}
}
