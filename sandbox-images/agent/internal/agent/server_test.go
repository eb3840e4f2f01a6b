package agent

import "testing"

func TestIsGVisorRelease(t *testing.T) {
	for release, want := range map[string]bool{
		"4.4.0":                true, // 2022 builds (Debian's runsc)
		"4.19.0-gvisor":        true, // the build security/gvisor pins
		"6.18.0":               false,
		"6.1.0-28-cloud-amd64": false,
		"5.15.0-gvisorish":     false,
		"":                     false,
	} {
		if got := isGVisorRelease(release); got != want {
			t.Errorf("isGVisorRelease(%q) = %v, want %v", release, got, want)
		}
	}
}
