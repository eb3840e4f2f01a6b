package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"connectrpc.com/connect"
	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"google.golang.org/protobuf/proto"

	"pantheon/agent/gen/agentv1"
)

const (
	outputChunk        = 64 << 10
	defaultRetainBytes = 1 << 20
	maxRetainBytes     = 64 << 20
	maxEndedKept       = 256
	pipeDrainAfterExit = 100 * time.Millisecond
	maxTrackedWrites   = 10000
	maxStartStdinBytes = MaxMessageBytes
)

const (
	// What the event logs of ended processes may hold together: they are kept only for a late
	// Connect, and 256 of them at 1 MiB each would be the whole memory limit of a small sandbox.
	maxEndedRetainedBytes = 8 << 20
	// What a retained event costs beyond its encoded size: the ProcessEvent, its oneof wrapper, the
	// Output, the slice header and the log's pointer (about 150 bytes on amd64, rounded up). Without
	// it a flood of 1-byte writes would retain a million events inside a 1 MiB limit.
	eventOverhead = 256
)

// process is one started program and its event log.
//
// Events are retained up to retainLimit bytes for Connect. Backpressure: while a subscriber (a Start
// or Connect stream) is attached, events it has not sent yet are never dropped; when the retained
// bytes are full the output pump waits, the pipe fills and the program blocks in write(2), exactly
// as behind a slow terminal. That stalls only this process: every stream has its own goroutine and
// h2 flow control is per stream. A reader that stops reading therefore pauses its own process until
// it reads again or goes away; once no subscriber is attached, the oldest events are dropped and a
// later Connect sees a Gap.
//
// Memory: `retained` counts what the events really hold (eventCost: the bytes' capacity, not only
// their length, plus eventOverhead), so the log stays within retainLimit + one chunk whatever the
// program's write sizes. Each event owns a buffer of its own size: a slice of the pump's 64 KiB read
// buffer would pin all 64 KiB behind a 100-byte line (issue 11: python's line-buffered stderr under
// gVisor made ~10,000 such events inside "1 MiB", 640 MiB, and the sandbox was OOM-killed).
type process struct {
	id        string
	pid       int
	started   time.Time
	startTick uint64 // /proc/<pid>/stat starttime, for the tree kill
	pty       *os.File
	stdin     *os.File
	stdinMu   sync.Mutex
	tracker   *writeTracker
	table     *processTable
	// kill_tree_on_exit: the tree dies when the leader is reaped, before Exited.
	killTreeOnExit bool
	pumps          sync.WaitGroup
	readersMu      sync.Mutex
	readers        []*os.File

	mu          sync.Mutex
	cond        *sync.Cond
	events      []*agentv1.ProcessEvent
	retained    int
	retainLimit int
	nextSeq     uint64
	// The highest seq any subscriber has taken into a batch: events above it are referenced by the
	// log alone, so new output of the same stream may still be merged into the last one.
	taken    uint64
	subs     map[*subscriber]struct{}
	ended    bool
	exitedAt time.Time
}

type subscriber struct{ pos uint64 }

// eventCost is what an event holds in memory, as `retained` counts it.
func eventCost(ev *agentv1.ProcessEvent) int {
	c := proto.Size(ev) + eventOverhead
	if o := ev.GetOutput(); o != nil {
		c += cap(o.Data) - len(o.Data)
	}
	return c
}

// appendOutput records bytes read from the program. They are copied (the caller reuses its read
// buffer) and, while no subscriber has taken the last event yet and it is output of the same
// stream, merged into it up to outputChunk: a program writing line by line faster than the host
// reads then costs a few large events instead of one small event per line (fewer h2 frames, less
// per-event overhead). Order is kept: only the last event grows.
func (p *process) appendOutput(stream agentv1.Stream, data []byte) {
	p.mu.Lock()
	if n := len(p.events); n > 0 {
		last := p.events[n-1]
		if o := last.GetOutput(); o != nil && last.Seq > p.taken && o.Stream == stream && len(o.Data)+len(data) <= outputChunk {
			before := eventCost(last)
			if len(o.Data)+len(data) > cap(o.Data) {
				grown := make([]byte, len(o.Data), min(outputChunk, max(2*cap(o.Data), len(o.Data)+len(data))))
				copy(grown, o.Data)
				o.Data = grown
			}
			o.Data = append(o.Data, data...)
			p.retained += eventCost(last) - before
			p.cond.Broadcast()
			p.mu.Unlock()
			return
		}
	}
	p.mu.Unlock()
	p.appendEvent(&agentv1.ProcessEvent{Event: &agentv1.ProcessEvent_Output{Output: &agentv1.Output{Stream: stream, Data: bytes.Clone(data)}}})
}

func (p *process) appendEvent(ev *agentv1.ProcessEvent) {
	// The seq is not known before the lock: room is made for its largest encoding (1 + 10 bytes),
	// and the exact cost counted once it is set.
	room := eventCost(ev) + 11
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.retained+room > p.retainLimit && len(p.events) > 0 {
		oldest := p.events[0].Seq
		if p.minSubPos() < oldest {
			p.cond.Wait() // a subscriber has not sent it yet: backpressure
			continue
		}
		p.retained -= eventCost(p.events[0])
		p.events[0] = nil
		p.events = p.events[1:]
	}
	p.nextSeq++
	ev.Seq = p.nextSeq
	p.events = append(p.events, ev)
	p.retained += eventCost(ev)
	if _, ok := ev.Event.(*agentv1.ProcessEvent_Exited); ok {
		p.ended = true
		p.exitedAt = time.Now()
		if p.table != nil {
			p.table.endedHeld.Add(int64(p.retained))
		}
	}
	p.cond.Broadcast()
}

func (p *process) minSubPos() uint64 {
	min := ^uint64(0)
	for s := range p.subs {
		if s.pos < min {
			min = s.pos
		}
	}
	return min
}

// follow sends events after `after` until the Exited event, or until ctx ends.
func (p *process) follow(ctx context.Context, after uint64, send func(*agentv1.ProcessEvent) error) error {
	s := &subscriber{pos: after}
	p.mu.Lock()
	p.subs[s] = struct{}{}
	p.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { p.mu.Lock(); p.cond.Broadcast(); p.mu.Unlock() })
	defer stop()
	defer func() { p.mu.Lock(); delete(p.subs, s); p.cond.Broadcast(); p.mu.Unlock() }()
	for {
		p.mu.Lock()
		for ctx.Err() == nil && p.nextSeq <= s.pos && !(p.ended && s.pos >= p.nextSeq) {
			p.cond.Wait()
		}
		if ctx.Err() != nil {
			p.mu.Unlock()
			return ctx.Err()
		}
		if p.ended && s.pos >= p.nextSeq {
			p.mu.Unlock()
			return nil
		}
		var batch []*agentv1.ProcessEvent
		var gap *agentv1.ProcessEvent
		first := p.nextSeq + 1
		if len(p.events) > 0 {
			first = p.events[0].Seq
		}
		if s.pos+1 < first {
			gap = &agentv1.ProcessEvent{Seq: first - 1, Event: &agentv1.ProcessEvent_Gap{Gap: &agentv1.Gap{DroppedEvents: first - 1 - s.pos}}}
		}
		// Seqs in the log are consecutive: the first unsent one is found by arithmetic, not by a
		// scan of the whole log on every wake-up (quadratic under a flood of small events).
		if from := int(max(s.pos+1, first) - first); from < len(p.events) {
			batch = append(batch, p.events[from:]...)
			p.taken = max(p.taken, batch[len(batch)-1].Seq)
		}
		p.mu.Unlock()
		if gap != nil {
			if err := send(gap); err != nil {
				return err
			}
			p.mu.Lock()
			s.pos = gap.Seq
			p.mu.Unlock()
		}
		for _, ev := range batch {
			if err := send(ev); err != nil {
				return err
			}
			p.mu.Lock()
			s.pos = ev.Seq
			p.cond.Broadcast()
			p.mu.Unlock()
			if _, ok := ev.Event.(*agentv1.ProcessEvent_Exited); ok {
				return nil
			}
		}
	}
}

func (p *process) running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.ended
}

type processTable struct {
	a     *Agent
	mu    sync.Mutex
	procs map[string]*process
	order []string
	// What ended processes held when they ended, counted since the last pass of forgetLocked: with
	// len(order), it tells when a pass can drop anything, so most starts skip it.
	endedHeld atomic.Int64
}

func newProcessTable(a *Agent) *processTable {
	return &processTable{a: a, procs: map[string]*process{}}
}

func (t *processTable) get(id string) (*process, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.procs[id]
	if p == nil {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("no process %q", id))
	}
	return p, nil
}

// forgetLocked drops the oldest ended processes beyond maxEndedKept, or once the logs of the newer
// ones hold maxEndedRetainedBytes (the newest ended process is kept whatever it holds: its caller
// may still Connect). A follower that holds a dropped process keeps reading its log.
//
// A pass locks every kept process, so it runs only when a bound may be passed, and then drops down
// to three quarters of both bounds: once per maxEndedKept/4 starts in a long-lived sandbox, not on
// every start (a pass per run was a tenth of the agent's CPU per execution).
func (t *processTable) forgetLocked() {
	if len(t.order) <= maxEndedKept && t.endedHeld.Load() <= maxEndedRetainedBytes {
		return
	}
	const keepEnded, keepHeld = maxEndedKept * 3 / 4, maxEndedRetainedBytes * 3 / 4
	counted := t.endedHeld.Load()
	ended, held, kept := 0, 0, 0
	keep := make([]string, 0, len(t.order))
	for i := len(t.order) - 1; i >= 0; i-- {
		id := t.order[i]
		p := t.procs[id]
		if p == nil {
			continue // a start that failed
		}
		if retained, running := p.footprint(); !running {
			ended++
			held += retained
			if ended > 1 && (ended > keepEnded || held > keepHeld) {
				delete(t.procs, id)
				continue
			}
			kept += retained
		}
		keep = append(keep, id)
	}
	slices.Reverse(keep)
	t.order = keep
	// What ends during the pass is added meanwhile: kept at worst twice (a pass more, never one less).
	t.endedHeld.Add(int64(kept) - counted)
}

func (t *processTable) forget() {
	t.mu.Lock()
	t.forgetLocked()
	t.mu.Unlock()
}

// footprint: the bytes the process's log holds, and whether it still runs.
func (p *process) footprint() (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.retained, !p.ended
}

func (t *processTable) killAll() {
	t.mu.Lock()
	var ps []*process
	for _, p := range t.procs {
		ps = append(ps, p)
	}
	t.mu.Unlock()
	for _, p := range ps {
		if p.running() {
			killTree(p, unix.SIGKILL)
		}
	}
}

func mergeEnv(base []string, add map[string]string) []string {
	if len(add) == 0 {
		return base
	}
	out := make([]string, 0, len(base)+len(add))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := add[k]; !ok {
			out = append(out, kv)
		}
	}
	for k, v := range add {
		out = append(out, k+"="+v)
	}
	return out
}

func lookPath(file string, env []string) (string, error) {
	if strings.Contains(file, "/") {
		return file, nil
	}
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		full := filepath.Join(dir, file)
		if st, err := os.Stat(full); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return full, nil
		}
	}
	return "", fmt.Errorf("%s: command not found", file)
}

var selfExe = func() string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return "/proc/self/exe"
}()

func (t *processTable) start(req *agentv1.StartRequest) (*process, error) {
	if req.Id == "" || len(req.Id) > 128 {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("id must be 1-128 bytes"))
	}
	var argv []string
	switch c := req.Command.(type) {
	case *agentv1.StartRequest_Argv:
		argv = c.Argv.GetArgs()
	case *agentv1.StartRequest_Shell:
		argv = []string{"/bin/sh", "-c", c.Shell}
	}
	if len(argv) == 0 {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("argv or shell is required"))
	}
	for _, s := range argv {
		if strings.IndexByte(s, 0) >= 0 {
			return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("argument contains NUL"))
		}
	}
	for k, v := range req.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") || strings.IndexByte(v, 0) >= 0 {
			return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("invalid environment variable %q", k))
		}
	}
	cwd := req.Cwd
	if cwd == "" {
		cwd = t.a.cfg.Workspace
	}
	if !filepath.IsAbs(cwd) || strings.IndexByte(cwd, 0) >= 0 {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("cwd must be absolute"))
	}
	env := mergeEnv(os.Environ(), req.Env)
	var path string
	var err error
	if req.PlainCommand {
		// As bash -c would exec it, or refused before anything starts (plain.go).
		if req.Pty != nil || !t.a.cfg.DirectLaunch {
			return nil, connect.NewError(connect.CodeFailedPrecondition, errors.New("plain_command needs a direct launch without a terminal"))
		}
		if path, env, err = plainCommand(argv[0], env, cwd, t.a.cfg.UID, t.a.cfg.GID); err != nil {
			return nil, err
		}
	} else if path, err = lookPath(argv[0], env); err != nil {
		return nil, connect.NewError(connect.CodeNotFound, err)
	}
	retain := int(req.RetainOutputBytes)
	if retain <= 0 {
		retain = defaultRetainBytes
	}
	retain = min(retain, maxRetainBytes)

	t.mu.Lock()
	if _, dup := t.procs[req.Id]; dup {
		t.mu.Unlock()
		return nil, connect.NewError(connect.CodeAlreadyExists, fmt.Errorf("process %q exists", req.Id))
	}
	p := &process{table: t, id: req.Id, retainLimit: retain, subs: map[*subscriber]struct{}{}, killTreeOnExit: req.KillTreeOnExit}
	p.cond = sync.NewCond(&p.mu)
	t.procs[req.Id] = p
	t.order = append(t.order, req.Id)
	t.forgetLocked()
	t.mu.Unlock()
	fail := func(err error) (*process, error) {
		t.mu.Lock()
		delete(t.procs, req.Id)
		t.mu.Unlock()
		return nil, err
	}

	if req.TrackWrites {
		tr, err := t.a.watch.track()
		if err != nil {
			return fail(connect.NewError(connect.CodeInternal, fmt.Errorf("track_writes: %w", err)))
		}
		p.tracker = tr
	}

	// The child's three descriptors, and ours.
	var childFiles []*os.File
	var outR, errR *os.File
	attr := &syscall.SysProcAttr{Setsid: true}
	if req.Pty != nil {
		// Opened with the sandbox user's filesystem ids: devpts gives the new terminal to them, as
		// login does, without CAP_CHOWN.
		var master, slave *os.File
		err := t.a.root.asSandbox(func() (err error) { master, slave, err = pty.Open(); return })
		if err != nil {
			return fail(connect.NewError(connect.CodeInternal, fmt.Errorf("pty: %w", err)))
		}
		_ = pty.Setsize(master, winsize(req.Pty))
		master = pollableMaster(master) // ptyfile.go: read deadlines must work on it
		childFiles = []*os.File{slave, slave, slave}
		attr.Setctty = true
		attr.Ctty = 0
		p.pty = master
		outR = master
	} else {
		inR, inW, err := os.Pipe()
		if err != nil {
			return fail(connect.NewError(connect.CodeInternal, err))
		}
		oR, oW, err := os.Pipe()
		if err != nil {
			return fail(connect.NewError(connect.CodeInternal, err))
		}
		eR, eW, err := os.Pipe()
		if err != nil {
			return fail(connect.NewError(connect.CodeInternal, err))
		}
		childFiles = []*os.File{inR, oW, eW}
		p.stdin, outR, errR = inW, oR, eR
	}
	fds := make([]uintptr, len(childFiles))
	for i, f := range childFiles {
		fds[i] = f.Fd()
	}
	// A terminal process where empty terminal writes block (emptywrite.go) gets its filter from the
	// launcher, which Go's ForkExec has no hook for.
	filter := ""
	if req.Pty != nil && t.a.cfg.FilterEmptyWrites {
		filter = LaunchEmptyWrites
	}
	reapMu.Lock()
	var pid int
	if t.a.cfg.DirectLaunch {
		// Privileges already narrowed agent-wide (launch.go prepareDirectLaunch): the child only has
		// to become the sandbox user; Go's ForkExec does setgroups, setgid, setuid, then chdir.
		attr.Credential = &syscall.Credential{Uid: uint32(t.a.cfg.UID), Gid: uint32(t.a.cfg.GID), Groups: []uint32{}}
		if filter == "" {
			pid, err = syscall.ForkExec(path, argv, &syscall.ProcAttr{Dir: cwd, Env: env, Files: fds, Sys: attr})
		} else {
			// The launcher as the sandbox user (this agent's bounding set is empty, so it could not
			// run it as root): it only installs the filter, changes directory and executes; the
			// oom score is written below and RLIMIT_NPROC is already inherited.
			largs := append([]string{"pantheon-agent", LaunchArg, strconv.Itoa(t.a.cfg.UID), strconv.Itoa(t.a.cfg.GID), "", "0",
				filter, cwd, path}, argv...)
			pid, err = syscall.ForkExec(selfExe, largs, &syscall.ProcAttr{Env: env, Files: fds, Sys: attr})
		}
	} else {
		oom := ""
		if t.a.cfg.ChildOomScoreAdj != 0 {
			oom = strconv.Itoa(t.a.cfg.ChildOomScoreAdj)
		}
		largs := append([]string{"pantheon-agent", LaunchArg, strconv.Itoa(t.a.cfg.UID), strconv.Itoa(t.a.cfg.GID), oom,
			strconv.FormatUint(t.a.cfg.ChildNproc, 10), filter, cwd, path}, argv...)
		pid, err = syscall.ForkExec(selfExe, largs, &syscall.ProcAttr{Env: env, Files: fds, Sys: attr})
	}
	if err == nil {
		p.pid = pid
		p.started = time.Now()
		// Before the reaper can see this pid (it waits for reapMu): Started is event 1 and the
		// pumps are counted, so an instant exit cannot overtake them.
		p.pumps.Add(1)
		if errR != nil {
			p.pumps.Add(1)
		}
		p.appendEvent(&agentv1.ProcessEvent{Event: &agentv1.ProcessEvent_Started{Started: &agentv1.Started{Pid: uint32(pid)}}})
		reapByPid[pid] = p.onExit
	}
	reapMu.Unlock()
	closeAll(childFiles)
	if err != nil {
		closeAll([]*os.File{p.stdin, outR, errR})
		if p.tracker != nil {
			p.tracker.stop()
		}
		code := connect.CodeFailedPrecondition
		if errors.Is(err, syscall.ENOENT) {
			code = connect.CodeNotFound
		}
		return fail(connect.NewError(code, fmt.Errorf("start %s (cwd %s): %w", argv[0], cwd, err)))
	}
	if t.a.cfg.DirectLaunch && t.a.cfg.ChildOomScoreAdj != 0 {
		// Right after exec: a child forked in the microseconds before this write keeps the agent's
		// value (the container's), and is then still the largest process the OOM killer compares.
		_ = os.WriteFile("/proc/"+strconv.Itoa(pid)+"/oom_score_adj", []byte(strconv.Itoa(t.a.cfg.ChildOomScoreAdj)), 0)
	}
	p.startTick = procStartTick(pid)

	p.readers = []*os.File{outR}
	if errR != nil {
		p.readers = append(p.readers, errR)
	}
	go p.pump(outR, agentv1.Stream_STREAM_STDOUT)
	if errR != nil {
		go p.pump(errR, agentv1.Stream_STREAM_STDERR)
	}
	in := p.stdin
	if p.pty != nil {
		in = p.pty
	}
	if len(req.Stdin) > 0 || !req.KeepStdinOpen {
		data := req.Stdin
		go func() {
			p.stdinMu.Lock()
			defer p.stdinMu.Unlock()
			if len(data) > 0 {
				_, _ = in.Write(data)
			}
			if !req.KeepStdinOpen {
				p.closeInputLocked()
			}
		}()
	}
	return p, nil
}

func closeAll(fs []*os.File) {
	seen := map[*os.File]bool{}
	for _, f := range fs {
		if f != nil && !seen[f] {
			seen[f] = true
			_ = f.Close()
		}
	}
}

func winsize(s *agentv1.Pty) *pty.Winsize {
	cols, rows := s.GetCols(), s.GetRows()
	if cols == 0 || cols > 10000 {
		cols = 80
	}
	if rows == 0 || rows > 10000 {
		rows = 24
	}
	return &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)}
}

// closeInputLocked: EOF on a pipe; on a PTY, ^D (the line discipline's EOF) since the terminal
// itself must stay open for output.
func (p *process) closeInputLocked() {
	if p.pty != nil {
		_, _ = p.pty.Write([]byte{4})
		return
	}
	if p.stdin != nil {
		_ = p.stdin.Close()
		p.stdin = nil
	}
}

func (p *process) pump(r *os.File, stream agentv1.Stream) {
	defer p.pumps.Done()
	defer func() {
		if p.pty == nil || r != p.pty {
			_ = r.Close()
		}
	}()
	// Reused (appendOutput copies what it keeps), and pooled: two fresh 64 KiB buffers per process
	// were most of what the agent allocated per run, and the garbage collector's work with it.
	bp := pumpBuffers.Get().(*[]byte)
	defer pumpBuffers.Put(bp)
	buf := *bp
	for {
		n, err := r.Read(buf)
		if n > 0 {
			p.appendOutput(stream, buf[:n])
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				p.drainWritten(r, stream, buf)
			}
			return
		}
	}
}

var pumpBuffers = sync.Pool{New: func() any { b := make([]byte, outputChunk); return &b }}

// maxFinalDrain bounds the read after the drain's deadline: a background writer that escaped the
// tree could otherwise keep it going.
const maxFinalDrain = 1 << 20

// drainWritten reads what is already in the pipe when the drain's deadline cut the pump. The
// deadline stops the wait for output still to come, never output already written: under load the
// pump may not have run at all between the program's last write and its exit (a run of `cat` lost
// its whole output once in 15,000 at load 20). The reads never wait: up to EAGAIN or EOF.
func (p *process) drainWritten(r *os.File, stream agentv1.Stream, buf []byte) {
	// The poller refuses any read on a file whose deadline has passed, even a non-blocking one.
	if r.SetReadDeadline(time.Time{}) != nil {
		return
	}
	rc, err := r.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Read(func(fd uintptr) bool {
		for total := 0; total < maxFinalDrain; {
			n, err := unix.Read(int(fd), buf)
			if err == unix.EINTR {
				continue
			}
			if n <= 0 || err != nil {
				break
			}
			p.appendOutput(stream, buf[:n])
			total += n
		}
		return true // never wait for readiness
	})
}

// onExit runs when the reaper collected the process: the last output is drained (descendants that
// still hold the pipes open get pipeDrainAfterExit, then the pipes are closed under them), writes
// are collected, and Exited is the last event.
func (p *process) onExit(ws unix.WaitStatus, ru *unix.Rusage) {
	duration := time.Since(p.started)
	// Before the drain: a background job holding the pipes would otherwise keep them open for
	// pipeDrainAfterExit; killed, its pipes close at once and what it had written is still read.
	if p.killTreeOnExit {
		killTree(p, unix.SIGKILL)
	}
	done := make(chan struct{})
	go func() { p.pumps.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(pipeDrainAfterExit):
		// Unblocks the pumps' reads: a background descendant keeps running, its output is not ours.
		p.closeReaders()
		<-done
	}
	p.stdinMu.Lock()
	if p.stdin != nil {
		_ = p.stdin.Close()
		p.stdin = nil
	}
	p.stdinMu.Unlock()
	if p.pty != nil {
		_ = p.pty.Close()
	}
	ex := &agentv1.Exited{
		ExitCode:        int32(ws.ExitStatus()),
		MaxRssBytes:     uint64(ru.Maxrss) * 1024,
		UserCpuMicros:   uint64(ru.Utime.Sec)*1e6 + uint64(ru.Utime.Usec),
		SystemCpuMicros: uint64(ru.Stime.Sec)*1e6 + uint64(ru.Stime.Usec),
		DurationMicros:  uint64(duration.Microseconds()),
		TreeKilled:      p.killTreeOnExit,
	}
	if ws.Signaled() {
		ex.ExitCode = -1
		ex.Signal = uint32(ws.Signal())
	}
	if p.tracker != nil {
		paths, overflow := p.tracker.finish()
		ex.WrittenPaths = paths
		ex.WritesOverflow = overflow
	}
	p.appendEvent(&agentv1.ProcessEvent{Event: &agentv1.ProcessEvent_Exited{Exited: ex}})
	// Now, not at the next start: a sandbox that runs nothing more still gives the memory back.
	p.table.forget()
}

func (p *process) closeReaders() {
	p.readersMu.Lock()
	defer p.readersMu.Unlock()
	for _, r := range p.readers {
		_ = r.SetReadDeadline(time.Now())
	}
}
