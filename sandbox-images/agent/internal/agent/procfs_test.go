package agent

import (
	"os"
	"slices"
	"testing"
)

func TestProcPidsListsThisProcess(t *testing.T) {
	pids := procPids()
	if !slices.Contains(pids, os.Getpid()) || !slices.Contains(pids, 1) {
		t.Fatalf("procPids() = %v: want this process (%d) and pid 1 among them", pids, os.Getpid())
	}
}

func TestReadProcStatOfThisProcess(t *testing.T) {
	st, ok := readProcStat(os.Getpid())
	if !ok || st.ppid != os.Getppid() || st.start == 0 || st.zombie {
		t.Fatalf("readProcStat(self) = %+v, %v: want ppid %d, a start tick, not a zombie", st, ok, os.Getppid())
	}
	if _, ok := readProcStat(1 << 30); ok {
		t.Fatal("a pid that does not exist was read")
	}
}

func TestReadProcRecordRefusesWhatDoesNotFit(t *testing.T) {
	var small [8]byte
	if _, err := readProcRecord("/proc/self/stat", small[:]); err != errProcTooLong {
		t.Fatalf("err = %v, want errProcTooLong", err)
	}
}
