package agent

import (
	"fmt"
	"testing"

	"pantheon/agent/gen/agentv1"
)

func benchTrue(b *testing.B, c *clients) {
	for i := 0; b.Loop(); i++ {
		r := run(b, c, &agentv1.StartRequest{Id: fmt.Sprintf("bench-%d", i), Command: &agentv1.StartRequest_Argv{Argv: &agentv1.Argv{Args: []string{"/bin/true"}}}})
		if r.exited.ExitCode != 0 {
			b.Fatal(r.exited)
		}
	}
}

// Start → Exited of `true`, agent in process over an in-memory h2c connection.
func BenchmarkStartTrueInProcess(b *testing.B) { benchTrue(b, start(b)) }

// The same through `docker exec -i --user 0 … serve --stdio` (PANTHEON_AGENT_CONTAINER).
func BenchmarkStartTrueDockerExec(b *testing.B) { benchTrue(b, dockerClients(b)) }
