package agent

import (
	"bytes"
	"os"
	"sync"
	"testing"
	"time"

	"pantheon/agent/gen/agentv1"
)

// The drain's deadline (pipeDrainAfterExit, then closeReaders) stops the wait for output still to
// come, never output already written: under load the pump may not run between a program's last
// write and its exit. Here the deadline has passed before the pump reads at all, and a writer
// (a descendant that escaped the tree) still holds the pipe open.
func TestOutputWrittenBeforeTheDrainDeadlineIsKept(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	written := bytes.Repeat([]byte("kept "), 6000) // 30,000 bytes: inside the pipe's buffer
	if _, err := w.Write(written); err != nil {
		t.Fatal(err)
	}
	p := &process{retainLimit: defaultRetainBytes, subs: map[*subscriber]struct{}{}, readers: []*os.File{r}}
	p.cond = sync.NewCond(&p.mu)
	p.closeReaders()
	p.pumps.Add(1)
	done := make(chan struct{})
	go func() { p.pump(r, agentv1.Stream_STREAM_STDOUT); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the pump waited for a writer that is still alive")
	}
	if got := outputOf(p); !bytes.Equal(got, written) {
		t.Fatalf("kept %d of %d bytes written before the deadline", len(got), len(written))
	}
}

func outputOf(p *process) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []byte
	for _, ev := range p.events {
		out = append(out, ev.GetOutput().GetData()...)
	}
	return out
}
