package agent

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/net/http2"

	"pantheon/agent/gen/agentv1"
	"pantheon/agent/gen/agentv1/agentv1connect"
)

// The test binary doubles as the launcher: the agent re-executes os.Executable() with __launch.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == LaunchArg {
		LaunchMain(os.Args[2:])
	}
	if err := becomeSubreaper(); err != nil {
		panic(err)
	}
	// CGO_ENABLED=0 (as the agent is built, and as scripts/test.mjs runs these): the direct launch;
	// with cgo the launcher. With PANTHEON_AGENT_TEST_LAUNCHER set this process keeps its
	// capabilities for the launcher, which the direct launch's preparation takes away for good: the
	// agent step runs TestLauncherPathDropsTheSame a second time so, in a process of its own.
	if os.Getenv("PANTHEON_AGENT_TEST_LAUNCHER") == "" {
		if err := prepareDirectLaunch(0); err == nil {
			directLaunchOK = true
		}
	}
	os.Exit(m.Run())
}

const testUID, testGID = 1000, 1000

var directLaunchOK bool

type clients struct {
	agent agentv1connect.AgentServiceClient
	proc  agentv1connect.ProcessServiceClient
	files agentv1connect.FileServiceClient
	net   agentv1connect.NetServiceClient
	stats agentv1connect.StatsServiceClient
	a     *Agent
	ws    string
}

// newWorkspace is a directory the sandbox uid can reach (t.TempDir's parents are root-only).
func newWorkspace(t testing.TB) string {
	dir, err := os.MkdirTemp("/tmp", "agent-ws-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, testUID, testGID); err != nil {
		t.Fatal(err)
	}
	return dir
}

// start serves an agent over an in-memory connection exactly as over stdio: h2c, prior knowledge,
// one connection; the client is a plain http2.Transport.
func start(t testing.TB, mutate ...func(*Config)) *clients {
	ws := newWorkspace(t)
	cfg := Config{Workspace: ws, UID: testUID, GID: testGID, ChildOomScoreAdj: 1000, DirectLaunch: directLaunchOK}
	for _, m := range mutate {
		m(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srvEnd, cliEnd := net.Pipe()
	go h2Server().ServeConn(&stdioConn{r: srvEnd, w: srvEnd}, &http2.ServeConnOpts{Handler: a.Handler()})
	used := false
	tr := &http2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(context.Context, string, string, *tls.Config) (net.Conn, error) {
			if used {
				t.Error("second connection dialed")
			}
			used = true
			return cliEnd, nil
		},
	}
	hc := &http.Client{Transport: tr}
	t.Cleanup(func() { a.Close(); tr.CloseIdleConnections(); srvEnd.Close() })
	opts := []connect.ClientOption{connect.WithReadMaxBytes(MaxMessageBytes)}
	base := "http://agent"
	return &clients{
		agent: agentv1connect.NewAgentServiceClient(hc, base, opts...),
		proc:  agentv1connect.NewProcessServiceClient(hc, base, opts...),
		files: agentv1connect.NewFileServiceClient(hc, base, opts...),
		net:   agentv1connect.NewNetServiceClient(hc, base, opts...),
		stats: agentv1connect.NewStatsServiceClient(hc, base, opts...),
		a:     a,
		ws:    ws,
	}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type result struct {
	stdout, stderr []byte
	exited         *agentv1.Exited
	events         []*agentv1.ProcessEvent
	pid            uint32
}

// run starts a process and collects its whole event stream, checking the sequence numbers.
func run(t testing.TB, c *clients, req *agentv1.StartRequest) *result {
	t.Helper()
	if req.Id == "" {
		req.Id = t.Name() + time.Now().Format("150405.000000000")
	}
	stream, err := c.proc.Start(ctxT(t), connect.NewRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	return collect(t, stream, 0)
}

func collect(t testing.TB, stream *connect.ServerStreamForClient[agentv1.ProcessEvent], after uint64) *result {
	t.Helper()
	r := &result{}
	seq := after
	for stream.Receive() {
		ev := stream.Msg()
		if ev.Seq != seq+1 {
			t.Fatalf("seq %d after %d", ev.Seq, seq)
		}
		seq = ev.Seq
		r.events = append(r.events, ev)
		switch e := ev.Event.(type) {
		case *agentv1.ProcessEvent_Started:
			r.pid = e.Started.Pid
		case *agentv1.ProcessEvent_Output:
			if e.Output.Stream == agentv1.Stream_STREAM_STDERR {
				r.stderr = append(r.stderr, e.Output.Data...)
			} else {
				r.stdout = append(r.stdout, e.Output.Data...)
			}
		case *agentv1.ProcessEvent_Exited:
			r.exited = e.Exited
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	if len(r.events) == 0 {
		t.Fatal("no events")
	}
	if _, ok := r.events[0].Event.(*agentv1.ProcessEvent_Started); after == 0 && !ok {
		t.Fatalf("first event is not Started: %v", r.events[0])
	}
	if _, ok := r.events[len(r.events)-1].Event.(*agentv1.ProcessEvent_Exited); !ok {
		t.Fatalf("last event is not Exited: %v", r.events)
	}
	if r.exited == nil {
		t.Fatalf("no exit event; got %v", r.events)
	}
	return r
}

func sh(cmd string) *agentv1.StartRequest {
	return &agentv1.StartRequest{Command: &agentv1.StartRequest_Shell{Shell: cmd}}
}
