package agent

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/sys/unix"

	"pantheon/agent/gen/agentv1"
)

// One recursive inotify watch of the workspace, shared by every Watch stream and every process
// started with track_writes. Started on first use.
//
// inotify watches a directory, not a tree: a directory that appears gets its own watch when its
// creation event is read, and whatever was created inside it before that is found by listing it
// at that moment (reported as written). Watches are added through /proc/self/fd/N of a directory
// opened beneath the workspace, so a path swapped for a symlink cannot point a watch elsewhere.
//
// Events are queued by the kernel synchronously with the write that causes them, so once a
// process has exited, draining the queue (drain) yields every change it made: Exited can list them.
const (
	watchMask = unix.IN_CREATE | unix.IN_MODIFY | unix.IN_CLOSE_WRITE | unix.IN_ATTRIB | unix.IN_DELETE |
		unix.IN_MOVED_FROM | unix.IN_MOVED_TO | unix.IN_ONLYDIR | unix.IN_EXCL_UNLINK
	maxPendingChanges  = 100000
	defaultDebounce    = 50 * time.Millisecond
	maxDebounceWait    = time.Second
	maxInlineBytes     = 4 << 20
	maxBatchBytes      = 8 << 20
	maxChangesPerBatch = 2000
)

type changeKind = agentv1.FileChange_Kind

type watcher struct {
	root *fsRoot

	startMu  sync.Mutex
	file     *os.File // the inotify fd; nil until started
	startErr error

	readMu  sync.Mutex // one reader of the queue at a time
	readBuf []byte     // its buffer, under readMu: a drain per Start and exit would otherwise allocate (and zero) one each time

	mu       sync.Mutex
	wds      map[int]string
	skip     map[string]bool
	subs     map[*watchSub]struct{}
	trackers map[*writeTracker]struct{}
}

func newWatcher(root *fsRoot) *watcher {
	return &watcher{root: root, wds: map[int]string{}, skip: map[string]bool{}, subs: map[*watchSub]struct{}{}, trackers: map[*writeTracker]struct{}{}}
}

func (w *watcher) addSkip(names []string) {
	w.mu.Lock()
	for _, n := range names {
		if n != "" && !strings.Contains(n, "/") {
			w.skip[n] = true
		}
	}
	w.mu.Unlock()
}

func (w *watcher) ensure() error {
	w.startMu.Lock()
	defer w.startMu.Unlock()
	if w.file != nil || w.startErr != nil {
		return w.startErr
	}
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		w.startErr = fmt.Errorf("inotify_init1: %w", err)
		return w.startErr
	}
	w.file = os.NewFile(uintptr(fd), "inotify")
	w.readMu.Lock()
	w.addTree("", false)
	w.readMu.Unlock()
	go w.loop()
	return nil
}

func (w *watcher) close() {
	w.startMu.Lock()
	defer w.startMu.Unlock()
	if w.file != nil {
		_ = w.file.Close()
	}
}

func (w *watcher) loop() {
	rc, err := w.file.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Read(func(fd uintptr) bool {
		w.readMu.Lock()
		w.readQueue(int(fd))
		w.readMu.Unlock()
		return false // wait for more; ends when the file is closed
	})
}

// drain reads every event already queued (the caller's writes are all in it).
func (w *watcher) drain() {
	w.startMu.Lock()
	f := w.file
	w.startMu.Unlock()
	if f == nil {
		return
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		w.readMu.Lock()
		w.readQueue(int(fd))
		w.readMu.Unlock()
	})
}

// readQueue reads until the queue is empty. Caller holds readMu.
func (w *watcher) readQueue(fd int) {
	if w.readBuf == nil {
		w.readBuf = make([]byte, 256<<10)
	}
	buf := w.readBuf
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if n <= 0 || err != nil {
			return
		}
		w.handle(buf[:n])
	}
}

func (w *watcher) handle(b []byte) {
	for len(b) >= unix.SizeofInotifyEvent {
		wd := int(int32(binary.NativeEndian.Uint32(b[0:])))
		mask := binary.NativeEndian.Uint32(b[4:])
		nameLen := int(binary.NativeEndian.Uint32(b[12:]))
		end := unix.SizeofInotifyEvent + nameLen
		if end > len(b) {
			return
		}
		name := string(b[unix.SizeofInotifyEvent:end])
		if i := strings.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		b = b[end:]
		w.event(wd, mask, name)
	}
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func (w *watcher) event(wd int, mask uint32, name string) {
	if mask&unix.IN_Q_OVERFLOW != 0 {
		w.mu.Lock()
		for s := range w.subs {
			s.setOverflow()
		}
		for t := range w.trackers {
			t.setOverflow()
		}
		w.mu.Unlock()
		return
	}
	w.mu.Lock()
	dir, ok := w.wds[wd]
	if mask&unix.IN_IGNORED != 0 {
		delete(w.wds, wd)
		w.mu.Unlock()
		return
	}
	skipped := w.skip[name]
	w.mu.Unlock()
	if !ok || name == "" {
		return
	}
	path := joinRel(dir, name)
	isDir := mask&unix.IN_ISDIR != 0
	switch {
	case isDir && mask&(unix.IN_CREATE|unix.IN_MOVED_TO) != 0:
		if skipped {
			return
		}
		w.emit(path, agentv1.FileChange_KIND_WRITTEN)
		w.addTree(path, true)
	case isDir && mask&(unix.IN_DELETE|unix.IN_MOVED_FROM) != 0:
		w.dropTree(path)
		w.emit(path, agentv1.FileChange_KIND_REMOVED)
	case mask&(unix.IN_DELETE|unix.IN_MOVED_FROM) != 0:
		w.emit(path, agentv1.FileChange_KIND_REMOVED)
	case isDir:
		// attribute change of a directory: nothing to save
	default:
		w.emit(path, agentv1.FileChange_KIND_WRITTEN)
	}
}

// addTree watches dir and every directory below it (skip names excepted); when report, every
// entry found is emitted as written (it may have been created before the watch existed).
func (w *watcher) addTree(rel string, report bool) {
	var parts []string
	if rel != "" {
		parts = strings.Split(rel, "/")
	}
	var children []string
	_ = w.root.asSandbox(func() error {
		dfd, err := w.root.openDir(parts, false)
		if err != nil {
			return err
		}
		defer unix.Close(dfd)
		wd, err := unix.InotifyAddWatch(int(w.file.Fd()), "/proc/self/fd/"+strconv.Itoa(dfd), watchMask)
		if err != nil {
			if errors.Is(err, unix.ENOSPC) {
				Log.Warn("inotify watch limit reached", "dir", rel)
				w.mu.Lock()
				for s := range w.subs {
					s.setOverflow()
				}
				for t := range w.trackers {
					t.setOverflow()
				}
				w.mu.Unlock()
			}
			return err
		}
		w.mu.Lock()
		w.wds[wd] = rel
		w.mu.Unlock()
		return walk(context.Background(), dfd, rel, false, nil, 0, func(e *agentv1.FileEntry) error {
			children = append(children, string(e.Path))
			if e.Type == agentv1.FileType_FILE_TYPE_DIRECTORY {
				children = append(children, "\x00dir")
			}
			return nil
		})
	})
	for i := 0; i < len(children); i++ {
		p := children[i]
		isDir := i+1 < len(children) && children[i+1] == "\x00dir"
		if isDir {
			i++
		}
		base := p[strings.LastIndexByte(p, '/')+1:]
		w.mu.Lock()
		skipped := isDir && w.skip[base]
		w.mu.Unlock()
		if skipped {
			continue
		}
		if report {
			w.emit(p, agentv1.FileChange_KIND_WRITTEN)
		}
		if isDir {
			w.addTree(p, report)
		}
	}
}

func (w *watcher) dropTree(rel string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for wd, p := range w.wds {
		if p == rel || strings.HasPrefix(p, rel+"/") {
			_, _ = unix.InotifyRmWatch(int(w.file.Fd()), uint32(wd))
			delete(w.wds, wd)
		}
	}
}

func (w *watcher) inSkipped(path string) bool {
	for _, c := range strings.Split(path, "/") {
		if w.skip[c] {
			return true
		}
	}
	return false
}

func (w *watcher) emit(path string, kind changeKind) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.skip) > 0 && w.inSkipped(path) {
		return
	}
	for s := range w.subs {
		s.add(path, kind)
	}
	for t := range w.trackers {
		t.add(path)
	}
}

// ---------------------------------------------------------------- track_writes

type writeTracker struct {
	w        *watcher
	mu       sync.Mutex
	paths    map[string]struct{}
	overflow bool
}

func (w *watcher) track() (*writeTracker, error) {
	if err := w.ensure(); err != nil {
		return nil, err
	}
	t := &writeTracker{w: w, paths: map[string]struct{}{}}
	w.drain() // events from before this process must not count as its writes
	w.mu.Lock()
	w.trackers[t] = struct{}{}
	w.mu.Unlock()
	return t, nil
}

func (t *writeTracker) add(path string) {
	t.mu.Lock()
	if len(t.paths) >= maxTrackedWrites {
		t.overflow = true
	} else {
		t.paths[path] = struct{}{}
	}
	t.mu.Unlock()
}

func (t *writeTracker) setOverflow() {
	t.mu.Lock()
	t.overflow = true
	t.mu.Unlock()
}

func (t *writeTracker) stop() {
	t.w.mu.Lock()
	delete(t.w.trackers, t)
	t.w.mu.Unlock()
}

// finish drains the queue (the process has exited: its writes are all queued) and returns them.
func (t *writeTracker) finish() ([][]byte, bool) {
	t.w.drain()
	t.stop()
	t.mu.Lock()
	defer t.mu.Unlock()
	names := make([]string, 0, len(t.paths))
	for p := range t.paths {
		names = append(names, p)
	}
	sort.Strings(names)
	// Bytes on the wire: a name need not be UTF-8 (the host refuses it by name, escaped).
	out := make([][]byte, len(names))
	for i, p := range names {
		out[i] = []byte(p)
	}
	return out, t.overflow
}

// ---------------------------------------------------------------- Watch

type watchSub struct {
	mu       sync.Mutex
	pending  map[string]changeKind
	overflow bool
	notify   chan struct{}
}

func (s *watchSub) add(path string, kind changeKind) {
	s.mu.Lock()
	if len(s.pending) >= maxPendingChanges {
		s.overflow = true
	} else {
		s.pending[path] = kind
	}
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

func (s *watchSub) setOverflow() {
	s.mu.Lock()
	s.overflow = true
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

func (s *watchSub) take() (map[string]changeKind, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, o := s.pending, s.overflow
	s.pending, s.overflow = map[string]changeKind{}, false
	return p, o
}

func (s *fileService) Watch(ctx context.Context, req *connect.Request[agentv1.WatchRequest], stream *connect.ServerStream[agentv1.WatchResponse]) error {
	w := s.a.watch
	w.addSkip(req.Msg.SkipDirs)
	if err := w.ensure(); err != nil {
		return connect.NewError(connect.CodeUnavailable, err)
	}
	sub := &watchSub{pending: map[string]changeKind{}, notify: make(chan struct{}, 1)}
	w.mu.Lock()
	w.subs[sub] = struct{}{}
	w.mu.Unlock()
	defer func() { w.mu.Lock(); delete(w.subs, sub); w.mu.Unlock() }()
	if err := stream.Send(&agentv1.WatchResponse{Ready: true}); err != nil {
		return err
	}
	debounce := time.Duration(req.Msg.DebounceMs) * time.Millisecond
	if debounce <= 0 {
		debounce = defaultDebounce
	}
	inline := min(req.Msg.InlineMaxBytes, maxInlineBytes)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.notify:
		}
		// Quiet period: flush after `debounce` without a new event, or after maxDebounceWait.
		deadline := time.Now().Add(maxDebounceWait)
	quiet:
		for {
			t := time.NewTimer(min(debounce, time.Until(deadline)))
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-sub.notify:
				t.Stop()
				if time.Now().After(deadline) {
					break quiet
				}
			case <-t.C:
				break quiet
			}
		}
		pending, overflow := sub.take()
		if err := s.sendChanges(stream, pending, overflow, inline); err != nil {
			return err
		}
	}
}

func (s *fileService) sendChanges(stream *connect.ServerStream[agentv1.WatchResponse], pending map[string]changeKind, overflow bool, inline uint64) error {
	paths := make([]string, 0, len(pending))
	for p := range pending {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	batch := &agentv1.WatchResponse{Overflow: overflow}
	size := 0
	flush := func(force bool) error {
		if len(batch.Changes) == 0 && !batch.Overflow && !force {
			return nil
		}
		err := stream.Send(batch)
		batch, size = &agentv1.WatchResponse{}, 0
		return err
	}
	for _, p := range paths {
		ch := s.describe(p, pending[p], inline)
		batch.Changes = append(batch.Changes, ch)
		size += len(ch.Content) + len(p) + 64
		if size >= maxBatchBytes || len(batch.Changes) >= maxChangesPerBatch {
			if err := flush(false); err != nil {
				return err
			}
		}
	}
	return flush(false)
}

// describe turns a path into a change as it is now: gone means removed, whatever the event said.
func (s *fileService) describe(path string, kind changeKind, inline uint64) *agentv1.FileChange {
	ch := &agentv1.FileChange{Path: []byte(path), Kind: agentv1.FileChange_KIND_REMOVED}
	_ = s.a.root.asSandbox(func() error {
		e, err := s.a.root.stat([]byte(path))
		if err != nil {
			return err
		}
		ch.Kind, ch.Entry = agentv1.FileChange_KIND_WRITTEN, e
		if e.Type != agentv1.FileType_FILE_TYPE_FILE || e.Size > inline {
			return nil
		}
		f, err := s.a.root.openFile([]byte(path))
		if err != nil {
			return nil
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, int64(inline)+1))
		if err == nil && uint64(len(data)) <= inline {
			ch.Content = data
			var st unix.Stat_t
			if unix.Fstat(int(f.Fd()), &st) == nil {
				ch.Entry = entryFromStat(ch.Entry.Path, &st)
			}
		}
		return nil
	})
	_ = kind
	return ch
}
