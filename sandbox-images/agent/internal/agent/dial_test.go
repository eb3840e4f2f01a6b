package agent

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"connectrpc.com/connect"
	"golang.org/x/net/http2"

	"pantheon/agent/gen/agentv1"
	"pantheon/agent/gen/agentv1/agentv1connect"
)

// The engine's socket: the agent dials it and serves the same service there as on stdio.
func TestDialedEngineSocketServesTheService(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "engine.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	a, err := New(Config{Workspace: newWorkspace(t), UID: testUID, GID: testGID, DirectLaunch: directLaunchOK})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	conn, err := dialEngine(path)
	if err != nil {
		t.Fatal(err)
	}
	go a.serveDialed(conn)

	accepted, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer accepted.Close()
	tr := &http2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(context.Context, string, string, *tls.Config) (net.Conn, error) {
			return accepted, nil
		},
	}
	defer tr.CloseIdleConnections()
	client := agentv1connect.NewAgentServiceClient(&http.Client{Transport: tr}, "http://agent")
	res, err := client.Hello(ctxT(t), connect.NewRequest(&agentv1.HelloRequest{}))
	if err != nil || res.Msg.Version != Version {
		t.Fatalf("Hello over the engine socket: %v %v", res, err)
	}
}

func TestDialWantsAnAbsoluteUnixPath(t *testing.T) {
	for _, bad := range []string{"", "tcp:127.0.0.1:1", "unix:relative.sock", "/abs/without/scheme"} {
		if _, err := parseDial(bad); err == nil {
			t.Errorf("parseDial(%q) accepted", bad)
		}
	}
	if p, err := parseDial("unix:/run/pantheon-agent/engine.sock"); err != nil || p != "/run/pantheon-agent/engine.sock" {
		t.Errorf("parseDial: %q %v", p, err)
	}
}

// A directory owned by another uid is dialled with that uid's file-system ids (the agent has no
// CAP_DAC_OVERRIDE in a container); the thread gets its own ids back afterwards.
func TestDialAsTheDirectoryOwnerRestoresTheThread(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown the directory")
	}
	dir := newWorkspace(t) // owned by testUID
	path := filepath.Join(dir, "engine.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := os.Chown(path, testUID, testGID); err != nil {
		t.Fatal(err)
	}
	conn, err := dialEngine(path)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	// Files the test process creates afterwards are root's: no thread kept the other ids.
	for i := 0; i < 20; i++ {
		f := filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if uid := info.Sys().(*syscall.Stat_t).Uid; uid != 0 {
			t.Fatalf("a file created after the dial belongs to uid %d", uid)
		}
	}
}
