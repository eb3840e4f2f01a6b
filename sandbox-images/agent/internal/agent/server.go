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
	"runtime/debug"
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
const Version = "0.3.0"

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
	// Start processes with a plain fork+exec (privileges narrowed agent-wide by prepareDirectLaunch)
	// instead of through the re-executed launcher: one exec less per process (~5 ms under runc,
	// tens under gVisor). False: the launcher, which needs no agent-wide preparation.
	DirectLaunch bool
	// Terminal processes get emptywrite.go's seccomp filter: set where emptyTerminalWriteBlocks
	// found that this kernel (gVisor before 2024-02) blocks zero-length terminal writes forever.
	FilterEmptyWrites bool
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
	opts := []connect.HandlerOption{
		connect.WithReadMaxBytes(MaxMessageBytes),
		connect.WithSendMaxBytes(MaxMessageBytes),
		// The stream is a local pipe: compression would only spend the container's CPU.
		connect.WithCompression("gzip", nil, nil),
	}
	mux := http.NewServeMux()
	mux.Handle(agentv1connect.NewAgentServiceHandler(&helloService{features: a.features()}, opts...))
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
	dial := fs.String("dial", "", "with --stdio: also serve h2c on a connection to unix:PATH (the engine's socket)")
	workspace := fs.String("workspace", "/workspace", "root of every file path")
	runAs := fs.String("run-as", "1000:1000", "uid:gid of sandbox code")
	nproc := fs.Int64("child-nproc", -1, "RLIMIT_NPROC of sandbox code (-1: 1/4 of the agent's own when that is finite, 0: inherit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	uid, gid, err := parseIDs(*runAs)
	if err != nil {
		return err
	}
	dialPath := ""
	if *dial != "" {
		if !*stdio {
			return errors.New("--dial needs --stdio (the exec's stream is what keeps the agent alive)")
		}
		if dialPath, err = parseDial(*dial); err != nil {
			return err
		}
	}
	if err := becomeSubreaper(); err != nil {
		return err
	}
	// GOMAXPROCS stays Go's default. One P gave 5-10% more runs/s with 50 projects under runsc,
	// but with a `kill -STOP -1` loop running in the sandbox a release then took 4.3 s instead of
	// 0.15 s (frozen-engine.docker.test.ts): the agent must keep answering whatever the code does.
	warmThreads()
	setMemoryLimit()
	cfg := Config{Workspace: *workspace, UID: uid, GID: gid, ChildNproc: childNproc(*nproc), ChildOomScoreAdj: 1000}
	if err := prepareDirectLaunch(cfg.ChildNproc); err != nil {
		Log.Warn("processes start through the launcher", "reason", err.Error())
	} else {
		cfg.DirectLaunch = true
	}
	cfg.FilterEmptyWrites = emptyTerminalWriteBlocks()
	a, err := New(cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	Log.Info("agent serving", "version", Version, "child_nproc", a.cfg.ChildNproc, "direct_launch", a.cfg.DirectLaunch, "filter_empty_writes", a.cfg.FilterEmptyWrites, "pid", os.Getpid(), "uid", os.Getuid(), "workspace", *workspace, "openat2", a.root.beneath)
	switch {
	case *stdio:
		// Dialled before stdio is served: once the engine has its Hello on stdio, the socket's
		// connection is already waiting in its listener (or has failed, and stdio is the path).
		if dialPath != "" {
			if engine, err := dialEngine(dialPath); err != nil {
				Log.Warn("engine socket not reached: serving on stdio only", "path", dialPath, "err", err.Error())
			} else {
				go a.serveDialed(engine)
			}
		}
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

// agentMemoryLimit is the Go runtime's soft limit for the agent's own memory: its live heap is a few
// MiB (1 MiB of retained output per running process, 8 MiB for ended ones, h2 buffers), and
// without a limit the collector lets the heap grow to twice what is live before it runs, memory
// the sandbox's limit charges (under gVisor the whole sandbox is OOM-killed, agent included). Set
// in code, not as GOMEMLIMIT in the environment, which the agent hands down to sandbox programs.
const agentMemoryLimit = 64 << 20

// setMemoryLimit applies agentMemoryLimit unless GOMEMLIMIT says otherwise (the runtime read it).
func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(agentMemoryLimit)
	}
}

// childNproc: with -1, a quarter of the agent's own RLIMIT_NPROC when it is finite. The container
// spec sets one only under runsc (= limits.pids), where gVisor enforces it per sandbox while the host
// pids cgroup (limits.pids x RUNSC_HOST_PIDS_PER_GUEST_PID = 24) counts the Sentry's host threads:
// measured with a `b() { b | b & }` fork bomb on the ptrace platform, ~40-46 host pids per guest
// process (the Sentry's Go threads are never given back, so the count only grows). At the cgroup
// wall the whole sandbox dies, agent included. Children limited to 3/4 or 1/2 of 64 still reached
// the wall (1536); 1/4 peaked at 687. Under runc no limit is set (RLIMIT_NPROC would count uid 1000
// across the whole host), and the agent (uid 0) is not counted in uid 1000's limit anyway.
func childNproc(flagValue int64) uint64 {
	if flagValue >= 0 {
		return uint64(flagValue)
	}
	var rl unix.Rlimit
	if !isGVisor() || unix.Getrlimit(unix.RLIMIT_NPROC, &rl) != nil || rl.Cur == unix.RLIM_INFINITY || rl.Cur == 0 {
		return 0
	}
	return max(1, rl.Cur/4)
}

// isGVisor: gVisor's Sentry reports its own kernel release, not the host's (the posture check
// relies on it too).
func isGVisor() bool {
	var u unix.Utsname
	return unix.Uname(&u) == nil && isGVisorRelease(unix.ByteSliceToString(u.Release[:]))
}

// isGVisorRelease: "4.4.0" in 2022 builds (Debian's runsc), "4.19.0-gvisor" in the one
// security/gvisor pins. Matching only the first silently turned the children's RLIMIT_NPROC off
// under the pinned build.
func isGVisorRelease(release string) bool {
	return release == "4.4.0" || strings.HasSuffix(release, "-gvisor")
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
	// gVisor (runsc) refuses PR_SET_CHILD_SUBREAPER with EINVAL: orphans then go to PID 1
	// (docker-init, which reaps them) and the tree kill looks for them there (tree.go).
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		Log.Warn("not a child subreaper: orphans go to PID 1", "err", err.Error())
	} else {
		isSubreaper = true
	}
	go reapLoop()
	return nil
}

// isSubreaper: whether orphans of sandbox code become the agent's children.
var isSubreaper bool

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

type helloService struct{ features []string }

func (h *helloService) Hello(context.Context, *connect.Request[agentv1.HelloRequest]) (*connect.Response[agentv1.HelloResponse], error) {
	return connect.NewResponse(&agentv1.HelloResponse{Version: Version, Pid: uint32(os.Getpid()), Uid: uint32(os.Getuid()), Features: h.features}), nil
}

// features lists the optional behaviours this agent honours (Hello): the host asks for one only
// when it is listed, so an agent that cannot honour it is never asked.
func (a *Agent) features() []string {
	if a.cfg.DirectLaunch {
		return []string{FeaturePlainCommand}
	}
	return nil
}
