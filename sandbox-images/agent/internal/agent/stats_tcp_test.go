package agent

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"connectrpc.com/connect"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"

	"pantheon/agent/gen/agentv1"
	"pantheon/agent/gen/agentv1/agentv1connect"
)

func TestStatsReadCgroupV2AndV1AndNothing(t *testing.T) {
	v2 := t.TempDir()
	for name, body := range map[string]string{"cgroup.controllers": "memory pids", "memory.current": "1000\n", "memory.peak": "2000\n",
		"cpu.stat": "usage_usec 345\nuser_usec 1\n", "pids.current": "7\n", "memory.events": "low 0\noom_kill 2\n"} {
		_ = os.WriteFile(filepath.Join(v2, name), []byte(body), 0o644)
	}
	v1 := t.TempDir()
	for name, body := range map[string]string{"memory/memory.usage_in_bytes": "10\n", "memory/memory.max_usage_in_bytes": "20\n",
		"cpuacct/cpuacct.usage": "5000\n", "pids/pids.current": "3\n", "memory/memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n"} {
		_ = os.MkdirAll(filepath.Dir(filepath.Join(v1, name)), 0o755)
		_ = os.WriteFile(filepath.Join(v1, name), []byte(body), 0o644)
	}
	read := func(dir string) *agentv1.StatsResponse {
		r, err := (&statsService{dir: dir}).Read(context.Background(), connect.NewRequest(&agentv1.StatsRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		return r.Msg
	}
	if s := read(v2); s.GetMemoryBytes() != 1000 || s.GetMemoryPeakBytes() != 2000 || s.GetCpuUsageMicros() != 345 || s.GetPids() != 7 || s.GetOomKills() != 2 {
		t.Errorf("v2: %v", s)
	}
	if s := read(v1); s.GetMemoryBytes() != 10 || s.GetMemoryPeakBytes() != 20 || s.GetCpuUsageMicros() != 5 || s.GetPids() != 3 || s.GetOomKills() != 1 {
		t.Errorf("v1: %v", s)
	}
	if s := read(t.TempDir()); s.MemoryBytes != nil || s.Pids != nil || s.ReadAtMs == 0 {
		t.Errorf("nothing (gVisor): %v", s)
	}
	r, _ := (&statsService{dir: v2}).ResetPeak(context.Background(), connect.NewRequest(&agentv1.ResetPeakRequest{}))
	if !r.Msg.Reset_ {
		t.Error("writable memory.peak not reset")
	}
}

// serve --listen tcp:ADDR: the same handlers behind h2c on a TCP listener.
func TestServesTheSameOverTCP(t *testing.T) {
	a, err := New(Config{Workspace: newWorkspace(t), UID: testUID, GID: testGID, DirectLaunch: directLaunchOK})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(h2c.NewHandler(a.Handler(), h2Server()))
	defer srv.Close()
	hc := &http.Client{Transport: &http2.Transport{AllowHTTP: true, DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
	h, err := agentv1connect.NewAgentServiceClient(hc, srv.URL).Hello(ctxT(t), connect.NewRequest(&agentv1.HelloRequest{}))
	if err != nil || h.Msg.Version != Version {
		t.Fatalf("%v %v", h, err)
	}
}
