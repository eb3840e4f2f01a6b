package agent

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"pantheon/agent/gen/agentv1"
)

// Issue 11's flood: a program writing line by line (python's stderr is line-buffered, one write(2)
// per line) makes one small read per line. Each kept event must own only its own bytes: slices of a
// 64 KiB read buffer pinned 64 KiB per 100-byte line, ~10,000 lines inside a "1 MiB" log = 640 MiB,
// and the gVisor sandbox was OOM-killed.
const (
	lineByLine      = `i=0; while [ $i -lt 30000 ]; do printf 'err %07d ` + eighty + `\n' $i >&2; i=$((i+1)); done`
	eighty          = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	lineByLineBytes = 30000 * (len("err 0000000 ") + len(eighty) + 1)
)

// heldBytes is what the log really holds: every event's encoding, its bytes' whole capacity, and
// the per-event structures (eventOverhead).
func heldBytes(p *process) (held, counted, events int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ev := range p.events {
		held += eventCost(ev)
	}
	return held, p.retained, len(p.events)
}

func TestLineByLineOutputHoldsOnlyItsOwnBytes(t *testing.T) {
	for _, reader := range []struct {
		name  string
		pause time.Duration
	}{{"fast reader", 0}, {"slow reader", 2 * time.Millisecond}} {
		t.Run(reader.name, func(t *testing.T) {
			c := start(t)
			id := "lines-" + strconv.Itoa(int(reader.pause))
			stream, err := c.proc.Start(ctxT(t), connect.NewRequest(&agentv1.StartRequest{Id: id, Command: &agentv1.StartRequest_Shell{Shell: lineByLine}}))
			if err != nil {
				t.Fatal(err)
			}
			defer stream.Close()
			var got, n, maxEvents int
			p, _ := c.a.procs.get(id)
			for stream.Receive() {
				got += len(stream.Msg().GetOutput().GetData())
				if n++; n%50 == 0 {
					// While the flood runs: the log never holds more than its limit and one chunk.
					held, counted, events := heldBytes(p)
					maxEvents = max(maxEvents, events)
					if held != counted || held > defaultRetainBytes+outputChunk+eventOverhead {
						t.Fatalf("log holds %d bytes (counted %d) in %d events; limit %d", held, counted, events, defaultRetainBytes)
					}
				}
				if reader.pause > 0 && n%20 == 0 {
					time.Sleep(reader.pause)
				}
			}
			if stream.Err() != nil || got != lineByLineBytes {
				t.Fatalf("%d bytes, %v", got, stream.Err())
			}
			held, counted, events := heldBytes(p)
			t.Logf("%d events received; after the exit the log holds %d bytes in %d events (at most %d during the run)", n, held, events, maxEvents)
			if held != counted || held > defaultRetainBytes+outputChunk+eventOverhead {
				t.Fatalf("log holds %d bytes (counted %d)", held, counted)
			}
		})
	}
}

// Events not yet taken by any subscriber merge (up to outputChunk, same stream, order kept): a
// reader that falls behind a line-by-line writer receives few full events, not one per line. An
// event a subscriber has taken is never changed (it is being encoded outside the lock).
func TestSmallWritesMergeUntilTaken(t *testing.T) {
	p := &process{retainLimit: defaultRetainBytes, subs: map[*subscriber]struct{}{}}
	p.cond = sync.NewCond(&p.mu)
	line := []byte("err 0000000 " + eighty + "\n")
	for range 1000 {
		p.appendOutput(agentv1.Stream_STREAM_STDERR, line)
	}
	p.appendOutput(agentv1.Stream_STREAM_STDOUT, []byte("out\n"))
	p.appendOutput(agentv1.Stream_STREAM_STDERR, line)
	want := []int{outputChunk / len(line) * len(line), 1000*len(line) - outputChunk/len(line)*len(line), 4, len(line)}
	if got := eventSizes(p); !slices.Equal(got, want) {
		t.Fatalf("event sizes %v, want %v", got, want)
	}
	// A subscriber takes everything, and is held in its first send.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sending := make(chan []byte, 1)
	release := make(chan struct{})
	go p.follow(ctx, 0, func(ev *agentv1.ProcessEvent) error {
		select {
		case sending <- slices.Clone(ev.GetOutput().GetData()):
		default:
		}
		<-release
		return nil
	})
	<-sending
	p.appendOutput(agentv1.Stream_STREAM_STDERR, line)
	if got := eventSizes(p); !slices.Equal(got, append(want, len(line))) {
		t.Fatalf("after a subscriber took the log: event sizes %v", got)
	}
	close(release)
	if held, counted, _ := heldBytes(p); held != counted {
		t.Fatalf("held %d, counted %d", held, counted)
	}
}

func eventSizes(p *process) []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int
	for _, ev := range p.events {
		out = append(out, len(ev.GetOutput().GetData()))
	}
	return out
}

// Ended processes keep their logs only for a late Connect: together they hold at most
// maxEndedRetainedBytes (plus the newest), however many runs a sandbox has made.
func TestEndedProcessesHoldABoundedTotal(t *testing.T) {
	c := start(t)
	for i := range 20 {
		r := run(t, c, &agentv1.StartRequest{Id: "mib-" + strconv.Itoa(i), Command: &agentv1.StartRequest_Shell{Shell: "head -c 1048576 /dev/zero"}})
		if r.exited.ExitCode != 0 {
			t.Fatalf("exit %+v", r.exited)
		}
	}
	t.Logf("after 20 runs of 1 MiB: %d processes kept", len(c.a.procs.procs))
	total := 0
	c.a.procs.mu.Lock()
	for _, p := range c.a.procs.procs {
		held, _, _ := heldBytes(p)
		total += held
	}
	kept := len(c.a.procs.procs)
	c.a.procs.mu.Unlock()
	if total > maxEndedRetainedBytes+defaultRetainBytes+outputChunk {
		t.Fatalf("%d ended processes hold %d bytes", kept, total)
	}
	if _, err := c.a.procs.get("mib-19"); err != nil {
		t.Fatalf("the newest ended process was forgotten: %v", err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("%d kept, %d KiB held; heap in use %d MiB", kept, total>>10, ms.HeapInuse>>20)
}

// Past maxEndedKept ended processes, a pass drops the oldest down to three quarters of it, so that
// most starts skip the pass; the number kept stays within the bound and the newest are kept.
func TestEndedProcessesBeyondTheCountAreForgotten(t *testing.T) {
	c := start(t)
	runs := maxEndedKept + maxEndedKept/2
	for i := range runs {
		r := run(t, c, &agentv1.StartRequest{Id: "n-" + strconv.Itoa(i), Command: &agentv1.StartRequest_Argv{Argv: &agentv1.Argv{Args: []string{"true"}}}})
		if r.exited.ExitCode != 0 {
			t.Fatalf("exit %+v", r.exited)
		}
	}
	c.a.procs.mu.Lock()
	kept, order := len(c.a.procs.procs), len(c.a.procs.order)
	c.a.procs.mu.Unlock()
	if kept > maxEndedKept || order != kept || kept < maxEndedKept*3/4 {
		t.Fatalf("after %d runs: %d processes kept, %d in order (bound %d)", runs, kept, order, maxEndedKept)
	}
	if _, err := c.a.procs.get("n-" + strconv.Itoa(runs-1)); err != nil {
		t.Fatalf("the newest ended process was forgotten: %v", err)
	}
	if _, err := c.a.procs.get("n-0"); err == nil {
		t.Fatal("the oldest ended process is still kept")
	}
}
