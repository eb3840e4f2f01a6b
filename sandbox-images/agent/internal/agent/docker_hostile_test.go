package agent

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"pantheon/agent/gen/agentv1"
)

// These run only against a real container (PANTHEON_AGENT_CONTAINER, see exec_test.go), as the
// engine starts the agent; agent.docker.test.ts runs them all in CI, per image, under runc and runsc.

func hello(t *testing.T, c *clients) *agentv1.HelloResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h, err := c.agent.Hello(ctx, connect.NewRequest(&agentv1.HelloRequest{}))
	if err != nil {
		t.Fatalf("agent does not answer: %v", err)
	}
	return h.Msg
}

func TestDockerIdentityAndPrivileges(t *testing.T) {
	c := dockerClients(t)
	if h := hello(t, c); h.Uid != 0 {
		t.Fatalf("agent uid %d", h.Uid)
	}
	r := run(t, c, sh(`id -u; id -g; id -G; grep -E '^Cap(Eff|Prm|Inh|Amb|Bnd)' /proc/self/status; cat /proc/self/oom_score_adj`))
	out := string(r.stdout)
	for _, want := range []string{"1000\n1000\n1000\n", "CapEff:\t0000000000000000", "CapPrm:\t0000000000000000", "CapBnd:\t0000000000000000", "\n1000\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
}

// Under gVisor sandbox code gets a quarter of the container's RLIMIT_NPROC (childNproc), so a fork
// bomb stops well before the host pids cgroup, whose wall kills the Sentry; under runc the agent
// leaves the container's alone (a lower one would count every uid-1000 process on the host) and the
// pids cgroup does that job.
func TestDockerSandboxProcessLimit(t *testing.T) {
	c := dockerClients(t)
	r := run(t, c, sh(`uname -r; for p in self 1; do awk '/^Max processes/ {print $3}' /proc/$p/limits; done`))
	fields := strings.Fields(string(r.stdout))
	if len(fields) != 3 {
		t.Fatalf("release, child and init limits expected: %q %q", r.stdout, r.stderr)
	}
	release, child, init := fields[0], fields[1], fields[2]
	if !isGVisorRelease(release) {
		if child != init {
			t.Fatalf("runc: sandbox code's RLIMIT_NPROC %s, the container's (init's) %s: the agent should leave it", child, init)
		}
		return
	}
	// gVisor's /proc/<pid>/limits shows the reader's own limits, so the container's comes from Docker.
	out, err := exec.Command("docker", "inspect", "-f", `{{range .HostConfig.Ulimits}}{{if eq .Name "nproc"}}{{.Soft}}{{end}}{{end}}`, os.Getenv("PANTHEON_AGENT_CONTAINER")).Output()
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatalf("gVisor (%s): the container should have a finite nproc ulimit, got %q", release, out)
	}
	if want := strconv.FormatUint(max(1, n/4), 10); child != want {
		t.Fatalf("gVisor (%s): sandbox code's RLIMIT_NPROC %s, want a quarter of %d = %s", release, child, n, want)
	}
}

func TestDockerKillAllAndKillInitLeaveTheAgent(t *testing.T) {
	c := dockerClients(t)
	r := run(t, c, sh(`kill 1; echo "kill1=$?"; kill -TERM 1; echo "term1=$?"`))
	if !strings.Contains(string(r.stdout), "kill1=1") || !strings.Contains(string(r.stdout), "term1=1") {
		t.Fatalf("uid 1000 could signal init: %s %s", r.stdout, r.stderr)
	}
	// kill(-1) reaches every process uid 1000 may signal except the caller: the background sleep
	// dies, the agent (uid 0), init and the idle command do not.
	r = run(t, c, sh(`echo kept > kept.txt; sleep 1000 & echo $! > bg.pid; kill -9 -1; echo "rc=$?"`))
	if !strings.Contains(string(r.stdout), "rc=0") || r.exited.ExitCode != 0 {
		t.Fatalf("kill -9 -1: %s %+v", r.stdout, r.exited)
	}
	r = run(t, c, sh(`kill -0 $(cat bg.pid) 2>/dev/null && echo alive || echo gone`))
	if string(r.stdout) != "gone\n" {
		t.Fatalf("the background process survived kill -9 -1: %s", r.stdout)
	}
	hello(t, c)
	got, err := readFile(t, c, "kept.txt", 0)
	if err != nil || string(got) != "kept\n" {
		t.Fatalf("kept.txt %q %v", got, err)
	}
	r = run(t, c, sh(`echo still here`))
	if string(r.stdout) != "still here\n" {
		t.Fatal("the container did not survive")
	}
}

func TestDockerForkBombIsKilledAndTheAgentSurvives(t *testing.T) {
	c := dockerClients(t)
	ctx := ctxT(t)
	stream, err := c.proc.Start(ctx, connect.NewRequest(&agentv1.StartRequest{Id: "bomb", Command: &agentv1.StartRequest_Shell{Shell: `b() { b | b & }; b; sleep 1000`}}))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	hello(t, c)
	if _, err := c.proc.Signal(ctx, connect.NewRequest(&agentv1.SignalRequest{Id: "bomb", Signal: 9, Tree: true})); err != nil {
		t.Fatal(err)
	}
	collect(t, stream, 0)
	hello(t, c)
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := run(t, c, sh(`ps -e -o user= | grep -c sandbox || true`))
		// ps and grep themselves: 3 at most
		if strings.TrimSpace(string(r.stdout)) <= "3" || time.Now().After(deadline) {
			t.Logf("sandbox processes left: %s", r.stdout)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestDockerMemoryBombDiesNotTheAgent(t *testing.T) {
	c := dockerClients(t)
	if r := run(t, c, sh(`uname -r`)); isGVisorRelease(strings.TrimSpace(string(r.stdout))) {
		// gVisor: the host's OOM killer sees one Sentry, not guest processes, and kills the whole
		// sandbox (oom_score_adj inside has no effect there). The engine must notice the agent's death.
		t.Skip("under gVisor a memory bomb ends the whole sandbox")
	}
	r := run(t, c, sh(`if command -v node >/dev/null; then node -e 'const a = []; for (;;) a.push(Buffer.alloc(16 << 20, 1))'; else python3 -c 'a = []
while True: a.append(bytearray(16 << 20))'; fi 2>/dev/null; echo "rc=$?"`))
	t.Logf("memory bomb: %s %+v", r.stdout, r.exited)
	if !strings.Contains(string(r.stdout), "rc=137") && !strings.Contains(string(r.stdout), "rc=134") {
		t.Fatalf("the bomb should have been killed: %s", r.stdout)
	}
	hello(t, c)
}

func TestDockerTrackWritesAndWatch(t *testing.T) {
	c := dockerClients(t)
	ctx := ctxT(t)
	w, err := c.files.Watch(ctx, connect.NewRequest(&agentv1.WatchRequest{DebounceMs: 30, InlineMaxBytes: 1024, SkipDirs: []string{"node_modules"}}))
	if err != nil {
		t.Fatal(err)
	}
	if !w.Receive() || !w.Msg().Ready {
		t.Fatalf("no ready: %v", w.Err())
	}
	r := run(t, c, &agentv1.StartRequest{TrackWrites: true, Command: &agentv1.StartRequest_Shell{Shell: `mkdir -p tw/a/b && echo hi > tw/a/b/c.txt && echo y > tw/top.txt && mkdir -p node_modules/x && echo z > node_modules/x/i.js`}})
	want := []string{"tw", "tw/a", "tw/a/b", "tw/a/b/c.txt", "tw/top.txt"}
	for _, p := range want {
		if !slices.Contains(pathStrings(r.exited.WrittenPaths), p) {
			t.Errorf("written_paths %v lacks %s", r.exited.WrittenPaths, p)
		}
	}
	for _, p := range pathStrings(r.exited.WrittenPaths) {
		if strings.HasPrefix(p, "node_modules") {
			t.Errorf("skipped dir reported: %s", p)
		}
	}
	seen := map[string]string{}
	for len(seen) < 2 && w.Receive() {
		for _, ch := range w.Msg().Changes {
			if ch.Entry != nil && ch.Entry.Type == agentv1.FileType_FILE_TYPE_FILE {
				seen[string(ch.Path)] = string(ch.Content)
			}
		}
	}
	if seen["tw/a/b/c.txt"] != "hi\n" || seen["tw/top.txt"] != "y\n" {
		t.Fatalf("watch saw %v", seen)
	}
}
