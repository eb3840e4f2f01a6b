package agent

import (
	"bytes"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"pantheon/agent/gen/agentv1"
)

func TestHello(t *testing.T) {
	c := start(t)
	res, err := c.agent.Hello(ctxT(t), connect.NewRequest(&agentv1.HelloRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Msg.Version != Version || res.Msg.Uid != 0 || res.Msg.Pid == 0 {
		t.Fatalf("hello: %+v", res.Msg)
	}
}

func TestStartEventsExitAndIdentity(t *testing.T) {
	t.Logf("direct launch: %v", directLaunchOK)
	identity(t, start(t))
}

// The launcher (fallback when the agent-wide preparation is refused, e.g. in a cgo build) needs the
// capabilities that prepareDirectLaunch removes from this process's bounding set: it runs in a
// `go test` with cgo, or with PANTHEON_AGENT_TEST_LAUNCHER=1 (the agent step of scripts/test.mjs
// runs it so, in a second `go test`), and skips in a process prepared for the direct launch.
func TestLauncherPathDropsTheSame(t *testing.T) {
	if directLaunchOK {
		t.Skip("this test process emptied its bounding set for the direct launch (run with PANTHEON_AGENT_TEST_LAUNCHER=1)")
	}
	identity(t, start(t, func(c *Config) { c.DirectLaunch = false }))
}

func identity(t *testing.T, c *clients) {
	r := run(t, c, sh(`printf out; printf err >&2; id -u; id -g; grep -E '^(CapEff|CapPrm|CapInh|CapAmb|CapBnd|NoNewPrivs)' /proc/self/status; cat /proc/self/oom_score_adj; pwd; exit 3`))
	if r.exited.ExitCode != 3 || r.exited.Signal != 0 {
		t.Fatalf("exit %+v", r.exited)
	}
	if _, ok := r.events[0].Event.(*agentv1.ProcessEvent_Started); !ok || r.pid == 0 {
		t.Fatalf("first event %v", r.events[0])
	}
	out := string(r.stdout)
	for _, want := range []string{"out1000\n1000\n", "CapEff:\t0000000000000000", "CapPrm:\t0000000000000000", "CapInh:\t0000000000000000",
		"CapAmb:\t0000000000000000", "CapBnd:\t0000000000000000", "NoNewPrivs:\t1", "\n1000\n", c.ws + "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if string(r.stderr) != "err" {
		t.Errorf("stderr %q", r.stderr)
	}
	if r.exited.DurationMicros == 0 || r.exited.MaxRssBytes == 0 {
		t.Errorf("rusage missing: %+v", r.exited)
	}
}

func TestArgvEnvStdinAndBinaryOutput(t *testing.T) {
	c := start(t)
	r := run(t, c, &agentv1.StartRequest{
		Command: &agentv1.StartRequest_Argv{Argv: &agentv1.Argv{Args: []string{"sh", "-c", `printf '%s|' "$FOO" "$HOME"; cat; printf '\000\377\n'`}}},
		Env:     map[string]string{"FOO": "bar baz", "HOME": "/nowhere"},
		Stdin:   []byte("from stdin;"),
	})
	if want := "bar baz|/nowhere|from stdin;\x00\xff\n"; string(r.stdout) != want {
		t.Fatalf("stdout %q want %q", r.stdout, want)
	}
}

func TestCommandNotFound(t *testing.T) {
	c := start(t)
	stream, err := c.proc.Start(ctxT(t), connect.NewRequest(&agentv1.StartRequest{Id: "nf",
		Command: &agentv1.StartRequest_Argv{Argv: &agentv1.Argv{Args: []string{"no-such-command-xyz"}}}}))
	if err == nil {
		for stream.Receive() {
		}
		err = stream.Err()
	}
	if connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("want NotFound, got %v", err)
	}
}

func TestKilledBySignalReportsIt(t *testing.T) {
	c := start(t)
	r := run(t, c, sh(`kill -9 $$`))
	if r.exited.ExitCode != -1 || r.exited.Signal != 9 {
		t.Fatalf("exit %+v", r.exited)
	}
}

func TestLargeOutputInOrder(t *testing.T) {
	c := start(t)
	r := run(t, c, sh(`seq 1 200000`))
	lines := bytes.Split(bytes.TrimSuffix(r.stdout, []byte("\n")), []byte("\n"))
	if len(lines) != 200000 || string(lines[199999]) != "200000" {
		t.Fatalf("%d lines", len(lines))
	}
	for _, ev := range r.events {
		if o := ev.GetOutput(); o != nil && len(o.Data) > outputChunk {
			t.Fatalf("chunk of %d bytes", len(o.Data))
		}
	}
}
