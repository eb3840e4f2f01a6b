package agent

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"pantheon/agent/gen/agentv1"
)

func plain(args ...string) *agentv1.StartRequest {
	return &agentv1.StartRequest{Command: &agentv1.StartRequest_Argv{Argv: &agentv1.Argv{Args: args}}, PlainCommand: true}
}

func bashC(cmd string) *agentv1.StartRequest {
	return &agentv1.StartRequest{Command: &agentv1.StartRequest_Argv{Argv: &agentv1.Argv{Args: []string{"bash", "-c", cmd}}}}
}

// startRefused starts req and returns the Connect code it was refused with (nil error: it ran).
func startRefused(t *testing.T, c *clients, req *agentv1.StartRequest) connect.Code {
	t.Helper()
	req.Id = t.Name()
	stream, err := c.proc.Start(ctxT(t), connect.NewRequest(req))
	if err == nil {
		for stream.Receive() {
		}
		err = stream.Err()
	}
	if err == nil {
		t.Fatalf("%v ran; want a refusal", req.Command)
	}
	return connect.CodeOf(err)
}

func sortedLines(b []byte) []string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	slices.Sort(lines)
	return lines
}

func needDirectLaunch(t *testing.T) {
	if !directLaunchOK {
		t.Skip("plain_command needs the direct launch (run as root with CGO_ENABLED=0)")
	}
}

// The point of plain_command: what the process sees is what `bash -c` gives it.
func TestPlainCommandSeesBashsEnvironment(t *testing.T) {
	needDirectLaunch(t)
	if _, err := os.Stat("/bin/bash"); err != nil {
		t.Skip("no bash on this machine")
	}
	c := start(t)
	for _, env := range []map[string]string{nil, {"SHLVL": "3", "PWD": "/"}, {"HTTP_PROXY": "http://127.0.0.1:1"}} {
		viaBash := bashC("env")
		viaBash.Env = env
		direct := plain("env")
		direct.Env = env
		b, p := run(t, c, viaBash), run(t, c, direct)
		if !slices.Equal(sortedLines(b.stdout), sortedLines(p.stdout)) {
			t.Errorf("env %v:\nbash -c env:\n%s\nplain env:\n%s", env, b.stdout, p.stdout)
		}
		if p.exited.ExitCode != 0 || b.exited.ExitCode != 0 {
			t.Errorf("exit %d / %d", b.exited.ExitCode, p.exited.ExitCode)
		}
	}
	// argv reaches the program as bash passes it, argv[0] as typed.
	b, p := run(t, c, bashC("sh -c 'echo $0 $1' x y")), run(t, c, plain("sh", "-c", "echo $0 $1", "x", "y"))
	if string(b.stdout) != string(p.stdout) {
		t.Errorf("argv: %q vs %q", b.stdout, p.stdout)
	}
}

func TestPlainCommandRefusesWhatOnlyTheShellDoes(t *testing.T) {
	needDirectLaunch(t)
	c := start(t)
	// A file without `#!`: execve says ENOEXEC, bash would run it as a script.
	script := filepath.Join(c.ws, "noshebang")
	if err := os.WriteFile(script, []byte("echo from a script\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code := startRefused(t, c, plain("./noshebang")); code != connect.CodeFailedPrecondition {
		t.Errorf("ENOEXEC: %v", code)
	}
	if code := startRefused(t, c, plain("no-such-command-xyz")); code != connect.CodeNotFound {
		t.Errorf("missing: %v", code)
	}
	bad := plain("true")
	bad.Env = map[string]string{"SHLVL": "abc"}
	if code := startRefused(t, c, bad); code != connect.CodeFailedPrecondition {
		t.Errorf("SHLVL: %v", code)
	}
	for _, name := range []string{"BASH_ENV", "BASH_FUNC_true%%", "SHELLOPTS"} {
		r := plain("true")
		r.Env = map[string]string{name: "x"}
		if code := startRefused(t, c, r); code != connect.CodeFailedPrecondition {
			t.Errorf("%s: %v", name, code)
		}
	}
	rel := plain("true")
	rel.Env = map[string]string{"PATH": ".:/usr/bin:/bin"}
	if code := startRefused(t, c, rel); code != connect.CodeNotFound {
		t.Errorf("relative PATH: %v", code)
	}
	tty := plain("true")
	tty.Pty = &agentv1.Pty{Cols: 80, Rows: 24}
	if code := startRefused(t, c, tty); code != connect.CodeFailedPrecondition {
		t.Errorf("pty: %v", code)
	}
	// Nothing of a refused start is left in the table: the same id starts through bash.
	r := run(t, c, &agentv1.StartRequest{Id: t.Name(), Command: &agentv1.StartRequest_Argv{Argv: &agentv1.Argv{Args: []string{"bash", "-c", "./noshebang"}}}})
	if string(r.stdout) != "from a script\n" {
		t.Errorf("fallback: %q", r.stdout)
	}
}

// bash's search skips a file the sandbox user may not execute, and so does the agent's.
func TestPlainCommandSkipsWhatTheSandboxUserCannotExecute(t *testing.T) {
	needDirectLaunch(t)
	c := start(t)
	first, second := filepath.Join(c.ws, "a"), filepath.Join(c.ws, "b")
	for _, d := range []string{first, second} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Executable by root only (0744): bash as uid 1000 passes it by.
	if err := os.WriteFile(filepath.Join(first, "tool"), []byte("#!/bin/sh\necho first\n"), 0o744); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(second, "tool"), []byte("#!/bin/sh\necho second\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PATH": first + ":" + second + ":/usr/bin:/bin"}
	viaBash := bashC("tool")
	viaBash.Env = env
	direct := plain("tool")
	direct.Env = env
	b, p := run(t, c, viaBash), run(t, c, direct)
	if string(p.stdout) != "second\n" || string(b.stdout) != string(p.stdout) {
		t.Errorf("bash %q, plain %q", b.stdout, p.stdout)
	}
}

func TestHelloListsPlainCommandOnlyWithTheDirectLaunch(t *testing.T) {
	for _, direct := range []bool{false, true} {
		if direct && !directLaunchOK {
			continue
		}
		c := start(t, func(cfg *Config) { cfg.DirectLaunch = direct })
		res, err := c.agent.Hello(ctxT(t), connect.NewRequest(&agentv1.HelloRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(res.Msg.Features, FeaturePlainCommand); got != direct {
			t.Errorf("direct launch %v: features %v", direct, res.Msg.Features)
		}
		if !direct {
			if code := startRefused(t, c, plain("true")); code != connect.CodeFailedPrecondition {
				t.Errorf("launcher: %v", code)
			}
		}
	}
}
