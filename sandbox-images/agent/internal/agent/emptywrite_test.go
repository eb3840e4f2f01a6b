package agent

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"pantheon/agent/gen/agentv1"
)

// The filter's program, run by x/net/bpf's interpreter on seccomp_data built word by word (the
// interpreter loads words big-endian from its buffer; the kernel loads them native-endian from
// seccomp_data: the program compares words, so the same words give the same answers).
func TestEmptyWriteFilterProgram(t *testing.T) {
	const arch = unix.AUDIT_ARCH_X86_64
	vm, err := bpf.NewVM(emptyWriteFilter(arch))
	if err != nil {
		t.Fatal(err)
	}
	data := func(arch uint32, nr uint32, count uint64) []byte {
		b := make([]byte, 64)
		binary.BigEndian.PutUint32(b[seccompNrOff:], nr)
		binary.BigEndian.PutUint32(b[seccompArchOff:], arch)
		binary.BigEndian.PutUint32(b[seccompArg2LowOff:], uint32(count))
		binary.BigEndian.PutUint32(b[seccompArg2HiOff:], uint32(count>>32))
		return b
	}
	const returnZero, allow = unix.SECCOMP_RET_ERRNO | 0, unix.SECCOMP_RET_ALLOW
	for _, c := range []struct {
		name  string
		arch  uint32
		nr    uint32
		count uint64
		want  int
	}{
		{"write of nothing", arch, unix.SYS_WRITE, 0, returnZero},
		{"writev of no vectors", arch, unix.SYS_WRITEV, 0, returnZero},
		{"pwritev2 of no vectors", arch, unix.SYS_PWRITEV2, 0, returnZero},
		{"write of 5 bytes", arch, unix.SYS_WRITE, 5, allow},
		{"write of 4 GiB (low word 0)", arch, unix.SYS_WRITE, 1 << 32, allow},
		{"writev of one vector", arch, unix.SYS_WRITEV, 1, allow},
		{"read of nothing", arch, unix.SYS_READ, 0, allow},
		{"pwrite64 of nothing", arch, unix.SYS_PWRITE64, 0, allow},
		{"another ABI's number", unix.AUDIT_ARCH_I386, unix.SYS_WRITE, 0, allow},
	} {
		got, err := vm.Run(data(c.arch, c.nr, c.count))
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s: %#x, want %#x", c.name, got, c.want)
		}
	}
}

// In a real kernel: a terminal process of an agent with FilterEmptyWrites gets the filter (an empty
// write to a closed descriptor returns 0 instead of EBADF, which only the filter does), through
// whichever launch path this test process can use; a process without a terminal, or of an agent
// without FilterEmptyWrites, does not. Linux's own terminals return 0 for an empty write, so the
// hang itself needs gVisor: TestDockerTerminalEmptyWriteReturns.
func TestTerminalProcessGetsTheEmptyWriteFilter(t *testing.T) {
	if emptyWriteAuditArch() == 0 {
		t.Skip("no filter for this GOARCH")
	}
	useWorldExecutableSelf(t)
	// write(9, "", 0) straight through syscall(2): perl's syswrite would refuse a closed handle
	// itself, before any write.
	prog := fmt.Sprintf(`perl -e 'my $b = ""; $r = syscall(%d, 9, $b, 0); print "r=$r\n"'`, unix.SYS_WRITE)
	for _, c := range []struct {
		name   string
		filter bool
		pty    bool
		want   string
	}{
		{"terminal, filter", true, true, "r=0"},
		{"pipes, filter", true, false, "r=-1"},
		{"terminal, no filter", false, true, "r=-1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := start(t, func(cfg *Config) { cfg.FilterEmptyWrites = c.filter })
			req := sh(prog)
			if c.pty {
				req.Pty = &agentv1.Pty{Cols: 80, Rows: 24}
			}
			r := run(t, cl, req)
			if out := strings.TrimSpace(string(r.stdout)); r.exited.ExitCode != 0 || out != c.want {
				t.Fatalf("want %q, got %q (stderr %q) %+v", c.want, out, r.stderr, r.exited)
			}
		})
	}
}

// Under the direct launch the launcher runs as the sandbox user, who cannot reach the test binary
// in go test's private build directory: a world-executable copy stands in for the agent binary
// (as /opt/pantheon/bin/pantheon-agent does in the images).
func useWorldExecutableSelf(t *testing.T) {
	dir, err := os.MkdirTemp("/tmp", "agent-self-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(selfExe)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(dir, "agent.test")
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	old := selfExe
	selfExe = path
	t.Cleanup(func() { selfExe = old })
}

func TestEmptyTerminalWriteProbe(t *testing.T) {
	// This host's kernel is Linux: an empty terminal write returns 0. (Under gVisor before 2024-02
	// it is true: the agent's own log line "filter_empty_writes" says which it found.)
	if isGVisor() {
		t.Skip("the probe's answer under gVisor depends on its release")
	}
	if emptyTerminalWriteBlocks() {
		t.Fatal("Linux blocks an empty terminal write?")
	}
}

// The hang itself, in a real container (PANTHEON_AGENT_CONTAINER; under runsc 20221219 it is the
// bug): a terminal program's empty write returns, and npm, which flushes with an empty write at exit,
// finishes. Before the filter both blocked until this test's deadline.
func TestDockerTerminalEmptyWriteReturns(t *testing.T) {
	c := dockerClients(t)
	req := sh(`perl -e 'syswrite(STDOUT, "", 0) // die "syswrite: $!"; print "perl-after\n"'; echo "perl=$?"
if command -v npm >/dev/null; then npm --version; echo "npm=$?"; fi
echo done`)
	req.Pty = &agentv1.Pty{Cols: 80, Rows: 24}
	r := run(t, c, req)
	out := strings.ReplaceAll(string(r.stdout), "\r\n", "\n")
	for _, want := range []string{"perl-after\nperl=0\n", "done\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q: %q", want, out)
		}
	}
	if strings.Contains(out, "npm=") && !strings.Contains(out, "npm=0") {
		t.Errorf("npm failed: %q", out)
	}
	if r.exited.ExitCode != 0 {
		t.Errorf("exit %+v", r.exited)
	}
}
