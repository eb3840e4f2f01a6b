package agent

import (
	"os"
	"path/filepath"
	"testing"

	"connectrpc.com/connect"

	"pantheon/agent/gen/agentv1"
)

// Both resolution modes: openat2(RESOLVE_BENEATH) and the O_NOFOLLOW walk used where the kernel
// (gVisor) lacks openat2.
func bothModes(t *testing.T, fn func(t *testing.T, c *clients)) {
	t.Run("openat2", func(t *testing.T) {
		c := start(t)
		if !c.a.root.beneath {
			t.Skip("kernel without openat2")
		}
		fn(t, c)
	})
	t.Run("walk", func(t *testing.T) {
		t.Setenv("PANTHEON_AGENT_NO_OPENAT2", "1")
		c := start(t)
		if c.a.root.beneath {
			t.Fatal("walk mode not selected")
		}
		fn(t, c)
	})
}

func TestPathsThatLeaveTheWorkspaceAreRefused(t *testing.T) {
	bothModes(t, func(t *testing.T, c *clients) {
		// Open to everyone, so only confinement (not permissions) can stop the agent.
		outside := newWorkspace(t)
		_ = os.Chmod(outside, 0o777)
		secret := filepath.Join(outside, "secret")
		if err := os.WriteFile(secret, []byte("host secret"), 0o666); err != nil {
			t.Fatal(err)
		}
		_ = os.Chmod(secret, 0o666)
		for _, l := range [][2]string{{"up", outside}, {"rel", "../../../../../../" + outside}, {"file", secret}} {
			if err := os.Symlink(l[1], filepath.Join(c.ws, l[0])); err != nil {
				t.Fatal(err)
			}
		}
		ctx := ctxT(t)
		for _, p := range []string{"../x", "a/../../x", "/etc/passwd", "up/secret", "rel/secret", "file", "up", "a\x00b"} {
			if _, err := readFile(t, c, p, 0); err == nil {
				t.Errorf("read %q succeeded", p)
			}
		}
		for _, p := range []string{"up/new", "rel/new", "file", "../new", "/tmp/new"} {
			s := c.files.Write(ctx)
			_ = s.Send(&agentv1.WriteRequest{Part: &agentv1.WriteRequest_Header{Header: &agentv1.WriteHeader{Path: []byte(p), MakeParents: true}}})
			_ = s.Send(&agentv1.WriteRequest{Part: &agentv1.WriteRequest_Data{Data: []byte("pwned")}})
			if _, err := s.CloseAndReceive(); err == nil {
				t.Errorf("write %q succeeded", p)
			}
		}
		if b, _ := os.ReadFile(secret); string(b) != "host secret" {
			t.Fatal("the secret outside was changed")
		}
		if _, err := os.Stat(filepath.Join(outside, "new")); err == nil {
			t.Fatal("a file was created outside")
		}
		for _, p := range []string{"up", "rel"} {
			if _, err := c.files.MakeDir(ctx, connect.NewRequest(&agentv1.MakeDirRequest{Path: []byte(p + "/made")})); err == nil {
				t.Errorf("mkdir through %s succeeded", p)
			}
			if _, err := c.files.Remove(ctx, connect.NewRequest(&agentv1.RemoveRequest{Path: []byte(p + "/secret")})); err == nil {
				t.Errorf("remove through %s succeeded", p)
			}
			if _, err := c.files.Move(ctx, connect.NewRequest(&agentv1.MoveRequest{From: []byte(p + "/secret"), To: []byte("stolen")})); err == nil {
				t.Errorf("move out of %s succeeded", p)
			}
		}
		ls, err := c.files.List(ctx, connect.NewRequest(&agentv1.ListFilesRequest{Path: []byte("up"), Recursive: true}))
		if err == nil {
			for ls.Receive() {
				t.Errorf("listed outside: %v", ls.Msg().Entries)
			}
		}
		// The symlink itself is reported as one, never followed by a recursive List.
		st, err := c.files.Stat(ctx, connect.NewRequest(&agentv1.StatRequest{Path: []byte("up")}))
		if err != nil || st.Msg.Entry.GetType() != agentv1.FileType_FILE_TYPE_SYMLINK || string(st.Msg.Entry.LinkTarget) != outside {
			t.Fatalf("stat symlink: %v %v", st, err)
		}
	})
}

func TestHostileNamesRoundTrip(t *testing.T) {
	bothModes(t, func(t *testing.T, c *clients) {
		names := []string{"new\nline", "bad\xff\xfeutf8", " spaced ", "-dash", "tab\there", "ünï", "quote'\"`$(x)"}
		for _, n := range names {
			writeFile(t, c, "d/"+n, []byte(n), 0)
		}
		for _, n := range names {
			got, err := readFile(t, c, "d/"+n, 0)
			if err != nil || string(got) != n {
				t.Errorf("%q: %q %v", n, got, err)
			}
		}
		ls, err := c.files.List(ctxT(t), connect.NewRequest(&agentv1.ListFilesRequest{Path: []byte("d")}))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for ls.Receive() {
			for _, e := range ls.Msg().Entries {
				seen[string(e.Path)] = true
			}
		}
		for _, n := range names {
			if !seen["d/"+n] {
				t.Errorf("List lacks %q", n)
			}
		}
	})
}

func TestFifoIsNotReadAndDoesNotHang(t *testing.T) {
	c := start(t)
	run(t, c, sh(`mkfifo pipe`))
	if _, err := readFile(t, c, "pipe", 0); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Fatalf("fifo: %v", err)
	}
	s := c.files.Write(ctxT(t))
	_ = s.Send(&agentv1.WriteRequest{Part: &agentv1.WriteRequest_Header{Header: &agentv1.WriteHeader{Path: []byte("pipe")}}})
	if _, err := s.CloseAndReceive(); err == nil {
		t.Fatal("writing into a fifo succeeded")
	}
}

func TestMoveRemoveMakeDir(t *testing.T) {
	c := start(t)
	ctx := ctxT(t)
	writeFile(t, c, "a/b/c.txt", []byte("x"), 0)
	if _, err := c.files.Move(ctx, connect.NewRequest(&agentv1.MoveRequest{From: []byte("a/b/c.txt"), To: []byte("z/y.txt")})); err != nil {
		t.Fatal(err)
	}
	if got, err := readFile(t, c, "z/y.txt", 0); err != nil || string(got) != "x" {
		t.Fatal(got, err)
	}
	if _, err := c.files.MakeDir(ctx, connect.NewRequest(&agentv1.MakeDirRequest{Path: []byte("m/n/o")})); err != nil {
		t.Fatal(err)
	}
	if _, err := c.files.Remove(ctx, connect.NewRequest(&agentv1.RemoveRequest{Path: []byte("a")})); connect.CodeOf(err) != connect.CodeAlreadyExists {
		t.Fatalf("non-recursive remove of a non-empty dir: %v", err)
	}
	for _, p := range []string{"a", "m", "z"} {
		if _, err := c.files.Remove(ctx, connect.NewRequest(&agentv1.RemoveRequest{Path: []byte(p), Recursive: true})); err != nil {
			t.Fatal(p, err)
		}
	}
	entries, _ := os.ReadDir(c.ws)
	if len(entries) != 0 {
		t.Fatalf("left: %v", entries)
	}
}
