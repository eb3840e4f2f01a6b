package agent

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"
	"golang.org/x/sys/unix"

	"pantheon/agent/gen/agentv1"
	"pantheon/agent/gen/agentv1/agentv1connect"
)

// Version is reported by Hello; bump it with any change the engine must know about.
const Version = "0.1.0"

// MaxMessageBytes caps one Connect message either way. Output chunks are 64 KiB, file chunks 256 KiB
// and WriteMany batches are the largest messages; 16 MiB leaves room for those and refuses worse.
const MaxMessageBytes = 16 << 20

// Log writes one JSON object per line on stderr (stdout is the protocol when serving --stdio).
var Log = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

// Config is what one agent serves with.
type Config struct {
	Workspace string
	// Sandbox code runs with these ids (and no capabilities); files the agent creates get them too.
	UID, GID int
	// RLIMIT_NPROC for sandbox code, 0 = inherit. Counts per uid across the whole kernel under runc
	// (host-wide), per sandbox under runsc: only the engine knows which, so it passes it.
	ChildNproc uint64
	// oom_score_adj of sandbox code: it, not the agent, dies when the container runs out of memory.
	ChildOomScoreAdj int
}

// Agent holds the state behind every service.
type Agent struct {
	cfg   Config
	procs *processTable
	root  *fsRoot
	watch *watcher
}

// New prepares an agent (the workspace must exist).
func New(cfg Config) (*Agent, error) {
	root, err := openFSRoot(cfg.Workspace, cfg.UID, cfg.GID)
	if err != nil {
		return nil, err
	}
	a := &Agent{cfg: cfg, root: root}
	a.procs = newProcessTable(a)
	a.watch = newWatcher(root)
	return a, nil
}

// Handler serves every service of agent.proto.
func (a *Agent) Handler() http.Handler {
	opts := []connect.HandlerOption{connect.WithReadMaxBytes(MaxMessageBytes), connect.WithSendMaxBytes(MaxMessageBytes)}
	mux := http.NewServeMux()
	mux.Handle(agentv1connect.NewAgentServiceHandler(&helloService{}, opts...))
	mux.Handle(agentv1connect.NewProcessServiceHandler(&processService{a}, opts...))
	mux.Handle(agentv1connect.NewFileServiceHandler(&fileService{a}, opts...))
	mux.Handle(agentv1connect.NewNetServiceHandler(newNetService(), opts...))
	mux.Handle(agentv1connect.NewStatsServiceHandler(&statsService{dir: cgroupDir}, opts...))
	return mux
}

// Close kills every process the agent started (nobody can reattach to them once it is gone).
func (a *Agent) Close() {
	a.procs.killAll()
	a.watch.close()
}

func h2Server() *http2.Server {
	return &http2.Server{
		MaxConcurrentStreams: 1000,
		MaxReadFrameSize:     1 << 20,
		// Per-stream and per-connection receive windows: one stalled stream cannot hold more.
		MaxUploadBufferPerStream:     4 << 20,
		MaxUploadBufferPerConnection: 64 << 20,
		IdleTimeout:                  0,
	}
}

// ServeMain parses `serve` flags and serves until stdin closes (--stdio) or forever (--listen).
func ServeMain(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	stdio := fs.Bool("stdio", false, "serve h2c on stdin/stdout")
	listen := fs.String("listen", "", "serve h2c on tcp:ADDR")
	workspace := fs.String("workspace", "/workspace", "root of every file path")
	runAs := fs.String("run-as", "1000:1000", "uid:gid of sandbox code")
	nproc := fs.Uint64("child-nproc", 0, "RLIMIT_NPROC of sandbox code (0: inherit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	uid, gid, err := parseIDs(*runAs)
	if err != nil {
		return err
	}
	if err := becomeSubreaper(); err != nil {
		return err
	}
	warmThreads()
	a, err := New(Config{Workspace: *workspace, UID: uid, GID: gid, ChildNproc: *nproc, ChildOomScoreAdj: 1000})
	if err != nil {
		return err
	}
	defer a.Close()
	Log.Info("agent serving", "version", Version, "pid", os.Getpid(), "uid", os.Getuid(), "workspace", *workspace, "openat2", a.root.beneath)
	switch {
	case *stdio:
		conn := &stdioConn{r: os.Stdin, w: os.Stdout}
		h2Server().ServeConn(conn, &http2.ServeConnOpts{Handler: a.Handler()})
		Log.Info("stdin closed: stopping")
		return nil
	case strings.HasPrefix(*listen, "tcp:"):
		srv := &http.Server{Handler: h2c.NewHandler(a.Handler(), h2Server()), ReadHeaderTimeout: 10 * time.Second}
		ln, err := net.Listen("tcp", strings.TrimPrefix(*listen, "tcp:"))
		if err != nil {
			return err
		}
		Log.Info("listening", "addr", ln.Addr().String())
		return srv.Serve(ln)
	default:
		return errors.New("serve needs --stdio or --listen tcp:ADDR")
	}
}

func parseIDs(s string) (int, int, error) {
	u, g, ok := strings.Cut(s, ":")
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if !ok || err1 != nil || err2 != nil || uid < 0 || gid < 0 {
		return 0, 0, fmt.Errorf("--run-as wants UID:GID, got %q", s)
	}
	return uid, gid, nil
}

func becomeSubreaper() error {
	// Orphans of sandbox code (double forks, setsid daemons) become the agent's children, so it can
	// reap them (no zombies filling the pids limit) and find them for a tree kill.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("PR_SET_CHILD_SUBREAPER: %w", err)
	}
	go reapLoop()
	return nil
}

// stdioConn is the h2 connection: the exec's stdin and stdout.
type stdioConn struct {
	r io.ReadCloser
	w io.WriteCloser
}

func (c *stdioConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *stdioConn) Write(p []byte) (int, error) { return c.w.Write(p) }
func (c *stdioConn) Close() error {
	err := c.r.Close()
	if e := c.w.Close(); err == nil {
		err = e
	}
	return err
}
func (c *stdioConn) LocalAddr() net.Addr                { return stdioAddr{} }
func (c *stdioConn) RemoteAddr() net.Addr               { return stdioAddr{} }
func (c *stdioConn) SetDeadline(t time.Time) error      { return nil }
func (c *stdioConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *stdioConn) SetWriteDeadline(t time.Time) error { return nil }

type stdioAddr struct{}

func (stdioAddr) Network() string { return "stdio" }
func (stdioAddr) String() string  { return "stdio" }

type helloService struct{}

func (*helloService) Hello(context.Context, *connect.Request[agentv1.HelloRequest]) (*connect.Response[agentv1.HelloResponse], error) {
	return connect.NewResponse(&agentv1.HelloResponse{Version: Version, Pid: uint32(os.Getpid()), Uid: uint32(os.Getuid())}), nil
}
