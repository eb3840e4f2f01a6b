package agent

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"connectrpc.com/connect"

	"pantheon/agent/gen/agentv1"
)

// cgroupDir: Docker mounts the container's own cgroup at /sys/fs/cgroup (v2: one directory, private
// cgroup namespace; v1: one directory per controller). gVisor has no cgroupfs there by default.
// Files that a runtime lacks are left out of the answer.
const cgroupDir = "/sys/fs/cgroup"

type statsService struct{ dir string }

func readUint(path string) (uint64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseUint(string(bytes.TrimSpace(b)), 10, 64)
	return v, err == nil
}

// readKey reads "key value" lines (cpu.stat, memory.events).
func readKey(path, key string) (uint64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := bytes.Cut(sc.Bytes(), []byte{' '})
		if ok && string(k) == key {
			n, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

func opt(v uint64, ok bool) *uint64 {
	if !ok {
		return nil
	}
	return &v
}

func (s *statsService) Read(context.Context, *connect.Request[agentv1.StatsRequest]) (*connect.Response[agentv1.StatsResponse], error) {
	j := func(n string) string { return filepath.Join(s.dir, n) }
	res := &agentv1.StatsResponse{ReadAtMs: time.Now().UnixMilli()}
	if _, err := os.Stat(j("cgroup.controllers")); err == nil {
		// cgroup v2
		res.MemoryBytes = opt(readUint(j("memory.current")))
		res.MemoryPeakBytes = opt(readUint(j("memory.peak")))
		res.CpuUsageMicros = opt(readKey(j("cpu.stat"), "usage_usec"))
		res.Pids = opt(readUint(j("pids.current")))
		res.OomKills = opt(readKey(j("memory.events"), "oom_kill"))
	} else {
		// cgroup v1 (Docker on a v1 host mounts each controller's own directory, read-only)
		res.MemoryBytes = opt(readUint(j("memory/memory.usage_in_bytes")))
		res.MemoryPeakBytes = opt(readUint(j("memory/memory.max_usage_in_bytes")))
		if ns, ok := readUint(j("cpuacct/cpuacct.usage")); ok {
			res.CpuUsageMicros = opt(ns/1000, true)
		}
		res.Pids = opt(readUint(j("pids/pids.current")))
		res.OomKills = opt(readKey(j("memory/memory.oom_control"), "oom_kill"))
	}
	return connect.NewResponse(res), nil
}

func (s *statsService) ResetPeak(context.Context, *connect.Request[agentv1.ResetPeakRequest]) (*connect.Response[agentv1.ResetPeakResponse], error) {
	// v2 (Linux 6.12+): a write to memory.peak resets it; v1: a write to memory.max_usage_in_bytes.
	// Docker mounts cgroupfs read-only without CAP_SYS_ADMIN, so this is usually false: the host then
	// keeps using the container-lifetime peak.
	err := os.WriteFile(filepath.Join(s.dir, "memory.peak"), []byte("0\n"), 0)
	if err != nil {
		err = os.WriteFile(filepath.Join(s.dir, "memory/memory.max_usage_in_bytes"), []byte("0\n"), 0)
	}
	return connect.NewResponse(&agentv1.ResetPeakResponse{Reset_: err == nil}), nil
}
