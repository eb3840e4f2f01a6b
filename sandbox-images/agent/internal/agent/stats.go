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

// cgroupDir: Docker gives each container a private cgroup namespace (cgroup v2), so the container's
// own counters are at the root of /sys/fs/cgroup. Files that a runtime lacks are left out.
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
	return connect.NewResponse(&agentv1.StatsResponse{
		MemoryBytes:     opt(readUint(j("memory.current"))),
		MemoryPeakBytes: opt(readUint(j("memory.peak"))),
		CpuUsageMicros:  opt(readKey(j("cpu.stat"), "usage_usec")),
		Pids:            opt(readUint(j("pids.current"))),
		OomKills:        opt(readKey(j("memory.events"), "oom_kill")),
		ReadAtMs:        time.Now().UnixMilli(),
	}), nil
}

func (s *statsService) ResetPeak(context.Context, *connect.Request[agentv1.ResetPeakRequest]) (*connect.Response[agentv1.ResetPeakResponse], error) {
	// Linux 6.12+: any write to memory.peak resets it (for the writer's fd). Read-only cgroupfs or an
	// older kernel: false, and the host keeps using the container-lifetime peak.
	err := os.WriteFile(filepath.Join(s.dir, "memory.peak"), []byte("0\n"), 0)
	return connect.NewResponse(&agentv1.ResetPeakResponse{Reset_: err == nil}), nil
}
