// pantheon-agent: the resident agent in every sandbox (issue 11). The engine starts it as uid 0
// with `docker exec --user 0 -i <container> /opt/pantheon/bin/pantheon-agent serve --stdio` and
// speaks Connect RPC over HTTP/2 (h2c, prior knowledge) on that exec's stdin/stdout.
//
//	pantheon-agent serve --stdio [--dial unix:PATH] [--workspace DIR] [--run-as UID:GID] [--child-nproc N]
//	pantheon-agent serve --listen tcp:ADDR [...]
//	pantheon-agent sandbox-exec [--run-as UID:GID] [--cwd DIR] -- ARGV...
//	pantheon-agent version
//
// `sandbox-exec` runs one command exactly as the agent runs sandbox code (same privilege drop), in
// place of the agent: the posture check probes through it, so it sees what sandbox code sees.
//
// `__launch` is internal: the agent re-executes itself in that mode between fork and the sandbox
// program's execve, to drop privileges in an order Go's ForkExec cannot (see internal/agent/launch.go).
package main

import (
	"fmt"
	"os"

	"pantheon/agent/internal/agent"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == agent.LaunchArg {
		agent.LaunchMain(os.Args[2:]) // never returns
	}
	if len(os.Args) > 1 && os.Args[1] == "sandbox-exec" {
		agent.SandboxExecMain(os.Args[2:]) // never returns
	}
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Println(agent.Version)
		return
	}
	if len(os.Args) < 2 || os.Args[1] != "serve" {
		fmt.Fprintln(os.Stderr, "usage: pantheon-agent serve (--stdio [--dial unix:PATH] | --listen tcp:ADDR) [--workspace DIR] [--run-as UID:GID] [--child-nproc N]")
		os.Exit(2)
	}
	if err := agent.ServeMain(os.Args[2:]); err != nil {
		agent.Log.Error("agent stopped", "err", err.Error())
		os.Exit(1)
	}
}
