package agent

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"golang.org/x/net/http2"

	"pantheon/agent/gen/agentv1/agentv1connect"
)

// Against a real container (the engine's spec) when PANTHEON_AGENT_CONTAINER names one: the agent
// is started exactly as the engine starts it, `docker exec -i --user 0 … serve --stdio`, and
// spoken to over that exec's stdin/stdout. Skipped otherwise: agent.docker.test.ts runs every
// TestDocker* this way, per image, under runc and runsc.
func dockerClients(t testing.TB) *clients {
	name := os.Getenv("PANTHEON_AGENT_CONTAINER")
	if name == "" {
		t.Skip("PANTHEON_AGENT_CONTAINER not set")
	}
	args := []string{"exec", "-i", "--user", "0", name, "/opt/pantheon/bin/pantheon-agent", "serve", "--stdio"}
	args = append(args, strings.Fields(os.Getenv("PANTHEON_AGENT_ARGS"))...)
	cmd := exec.Command("docker", args...)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	conn := &stdioConn{r: stdout, w: stdin}
	tr := &http2.Transport{AllowHTTP: true, DialTLSContext: func(context.Context, string, string, *tls.Config) (net.Conn, error) { return conn, nil }}
	t.Cleanup(func() { tr.CloseIdleConnections(); stdin.Close(); _ = cmd.Wait() })
	hc := &http.Client{Transport: tr}
	base := "http://agent"
	opts := []connect.ClientOption{connect.WithReadMaxBytes(MaxMessageBytes)}
	return &clients{
		agent: agentv1connect.NewAgentServiceClient(hc, base, opts...),
		proc:  agentv1connect.NewProcessServiceClient(hc, base, opts...),
		files: agentv1connect.NewFileServiceClient(hc, base, opts...),
		net:   agentv1connect.NewNetServiceClient(hc, base, opts...),
		stats: agentv1connect.NewStatsServiceClient(hc, base, opts...),
		ws:    "/workspace",
	}
}
