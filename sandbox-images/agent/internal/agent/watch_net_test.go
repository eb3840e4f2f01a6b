package agent

import (
	"bytes"
	"errors"
	"io"
	"net"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"connectrpc.com/connect"

	"pantheon/agent/gen/agentv1"
)

func TestWatchBatchesWithContentAndRemovals(t *testing.T) {
	c := start(t)
	ctx := ctxT(t)
	writeFile(t, c, "old.txt", []byte("old"), 0)
	w, err := c.files.Watch(ctx, connect.NewRequest(&agentv1.WatchRequest{DebounceMs: 20, InlineMaxBytes: 8, SkipDirs: []string{"node_modules"}}))
	if err != nil {
		t.Fatal(err)
	}
	if !w.Receive() || !w.Msg().Ready {
		t.Fatal("first message must be ready")
	}
	run(t, c, sh(`mkdir -p n/e/w && printf small > n/e/w/s.txt && head -c 100 /dev/zero > big.bin && rm old.txt && mkdir -p node_modules/p && echo x > node_modules/p/i.js`))
	got := map[string]*agentv1.FileChange{}
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < 6 && time.Now().Before(deadline) && w.Receive() {
		for _, ch := range w.Msg().Changes {
			got[string(ch.Path)] = ch
		}
	}
	if ch := got["n/e/w/s.txt"]; ch == nil || string(ch.Content) != "small" || ch.Kind != agentv1.FileChange_KIND_WRITTEN {
		t.Errorf("s.txt: %v", ch)
	}
	if ch := got["big.bin"]; ch == nil || ch.Content != nil || ch.Entry.GetSize() != 100 {
		t.Errorf("big.bin (above inline_max_bytes): %v", ch)
	}
	if ch := got["old.txt"]; ch == nil || ch.Kind != agentv1.FileChange_KIND_REMOVED {
		t.Errorf("old.txt: %v", ch)
	}
	for p := range got {
		if bytes.HasPrefix([]byte(p), []byte("node_modules")) {
			t.Errorf("skipped dir reported: %s", p)
		}
	}
}

func TestTrackWritesListsWhatTheProcessWrote(t *testing.T) {
	c := start(t)
	writeFile(t, c, "before.txt", []byte("x"), 0)
	r := run(t, c, &agentv1.StartRequest{TrackWrites: true, Command: &agentv1.StartRequest_Shell{Shell: `mkdir -p x/y/z; for i in 1 2 3; do echo $i > x/y/z/f$i; done; echo a > top; rm before.txt; (sleep 0.05; echo late > late.txt) & wait`}})
	want := []string{"before.txt", "late.txt", "top", "x", "x/y", "x/y/z", "x/y/z/f1", "x/y/z/f2", "x/y/z/f3"}
	if !slices.Equal(pathStrings(r.exited.WrittenPaths), want) || r.exited.WritesOverflow {
		t.Fatalf("written %v overflow %v, want %v", r.exited.WrittenPaths, r.exited.WritesOverflow, want)
	}
	// A name that is not UTF-8 travels as it is (bytes): the exit event still arrives, naming it.
	r = run(t, c, &agentv1.StartRequest{TrackWrites: true, Command: &agentv1.StartRequest_Shell{Shell: `printf x > "$(printf 'bad\377name')"; echo ok > fine.txt`}})
	if !slices.Equal(pathStrings(r.exited.WrittenPaths), []string{"bad\xffname", "fine.txt"}) || r.exited.WritesOverflow {
		t.Fatalf("invalid UTF-8 name: written %q overflow %v", r.exited.WrittenPaths, r.exited.WritesOverflow)
	}
	r = run(t, c, &agentv1.StartRequest{TrackWrites: true, Command: &agentv1.StartRequest_Shell{Shell: `true`}})
	if len(r.exited.WrittenPaths) != 0 {
		t.Fatalf("a process that wrote nothing: %v", r.exited.WrittenPaths)
	}
}

func listenLocal(t *testing.T) (net.Listener, uint32) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln, uint32(ln.Addr().(*net.TCPAddr).Port)
}

func TestForwardBothWaysWithHalfClose(t *testing.T) {
	c := start(t)
	ln, port := listenLocal(t)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		data, _ := io.ReadAll(conn) // until the host's close_write
		_, _ = conn.Write([]byte(strconv.Itoa(len(data)) + " bytes"))
		conn.Close()
	}()
	s := c.net.Forward(ctxT(t))
	payload := bytes.Repeat([]byte("ab"), 300000)
	if err := s.Send(&agentv1.ForwardRequest{Port: port, Data: payload[:1000]}); err != nil {
		t.Fatal(err)
	}
	first, err := s.Receive()
	if err != nil || !first.Connected {
		t.Fatalf("connected: %v %v", first, err)
	}
	_ = s.Send(&agentv1.ForwardRequest{Data: payload[1000:], CloseWrite: true})
	var got []byte
	for {
		m, err := s.Receive()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m.Data...)
	}
	if string(got) != "600000 bytes" {
		t.Fatalf("got %q", got)
	}
}

func TestForwardToNothingSaysSo(t *testing.T) {
	c := start(t)
	ln, port := listenLocal(t)
	ln.Close()
	s := c.net.Forward(ctxT(t))
	_ = s.Send(&agentv1.ForwardRequest{Port: port})
	_, err := s.Receive()
	if connect.CodeOf(err) != connect.CodeUnavailable || !bytes.Contains([]byte(err.Error()), []byte("nothing listening on port "+strconv.Itoa(int(port)))) {
		t.Fatalf("got %v", err)
	}
}

func TestListenHandsConnectionsToTheHost(t *testing.T) {
	c := start(t)
	ln, port := listenLocal(t)
	ln.Close() // a free port
	ctx := ctxT(t)
	l, err := c.net.Listen(ctx, connect.NewRequest(&agentv1.ListenRequest{Port: port}))
	if err != nil {
		t.Fatal(err)
	}
	if !l.Receive() || !l.Msg().Listening {
		t.Fatalf("listening: %v", l.Err())
	}
	for i := range 3 {
		conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(int(port)))
		if err != nil {
			t.Fatal(err)
		}
		if !l.Receive() || l.Msg().ConnectionId == "" {
			t.Fatal("no accepted event")
		}
		a := c.net.Accepted(ctx)
		_ = a.Send(&agentv1.AcceptedRequest{ConnectionId: l.Msg().ConnectionId, Data: []byte("hello " + strconv.Itoa(i))})
		buf := make([]byte, 7)
		if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "hello "+strconv.Itoa(i) {
			t.Fatalf("inside got %q %v", buf, err)
		}
		_, _ = conn.Write([]byte("back"))
		conn.Close()
		var got []byte
		for {
			m, err := a.Receive()
			if err != nil {
				break
			}
			got = append(got, m.Data...)
		}
		if string(got) != "back" {
			t.Fatalf("host got %q", got)
		}
		_ = a.CloseRequest()
	}
}

// 1 GiB through one process's stdout, read as fast as the client can: the agent's memory stays flat
// (a few retained MiB), because output waits for the reader instead of piling up.
func TestOneGigabyteOfOutputInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	c := start(t)
	stream, err := c.proc.Start(ctxT(t), connect.NewRequest(&agentv1.StartRequest{Id: "gig", Command: &agentv1.StartRequest_Shell{Shell: "head -c 1073741824 /dev/zero"}}))
	if err != nil {
		t.Fatal(err)
	}
	var total, peakHeap uint64
	var ms runtime.MemStats
	n := 0
	for stream.Receive() {
		total += uint64(len(stream.Msg().GetOutput().GetData()))
		if n++; n%2000 == 0 {
			runtime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, ms.HeapInuse)
		}
	}
	if stream.Err() != nil || total != 1<<30 {
		t.Fatalf("%d bytes, %v", total, stream.Err())
	}
	t.Logf("1 GiB streamed; peak heap in use %d MiB (agent and client in one process)", peakHeap>>20)
	if peakHeap > 64<<20 {
		t.Fatalf("heap grew to %d MiB", peakHeap>>20)
	}
}

// A stream nobody reads (its process blocked behind backpressure) stalls neither other processes
// nor other calls on the same connection: h2 flow control is per stream.
func TestAStalledReaderStallsOnlyItsOwnProcess(t *testing.T) {
	c := start(t)
	ctx := ctxT(t)
	stalled, err := c.proc.Start(ctx, connect.NewRequest(&agentv1.StartRequest{Id: "flood", Command: &agentv1.StartRequest_Shell{Shell: "yes flood"}}))
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	time.Sleep(300 * time.Millisecond) // the flood fills the h2 window and the retained bytes, then waits
	for i := range 5 {
		r := run(t, c, &agentv1.StartRequest{Id: "other-" + strconv.Itoa(i), Command: &agentv1.StartRequest_Shell{Shell: "echo fine"}})
		if string(r.stdout) != "fine\n" {
			t.Fatalf("other process: %q", r.stdout)
		}
	}
	writeFile(t, c, "still.txt", []byte("ok"), 0)
	p, _ := c.a.procs.get("flood")
	if !p.running() {
		t.Fatal("the flood should be paused, not gone")
	}
	if _, err := c.proc.Signal(ctx, connect.NewRequest(&agentv1.SignalRequest{Id: "flood", Signal: 9, Tree: true})); err != nil {
		t.Fatal(err)
	}
}

func pathStrings(paths [][]byte) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = string(p)
	}
	return out
}
