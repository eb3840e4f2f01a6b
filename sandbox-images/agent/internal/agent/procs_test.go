package agent

import (
	"runtime"
	"testing"
)

// The agent runs on one P unless the operator set GOMAXPROCS (see agentProcs).
func TestSetProcs(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(before) })

	runtime.GOMAXPROCS(2)
	t.Setenv("GOMAXPROCS", "")
	setProcs()
	if got := runtime.GOMAXPROCS(0); got != agentProcs {
		t.Fatalf("GOMAXPROCS = %d, want %d", got, agentProcs)
	}

	runtime.GOMAXPROCS(2)
	t.Setenv("GOMAXPROCS", "2")
	setProcs()
	if got := runtime.GOMAXPROCS(0); got != 2 {
		t.Fatalf("an explicit GOMAXPROCS was overridden: %d", got)
	}
}
