package agent

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"

	"connectrpc.com/connect"

	"pantheon/agent/gen/agentv1"
)

func writeFile(t *testing.T, c *clients, path string, data []byte, mode uint32) *agentv1.FileEntry {
	t.Helper()
	s := c.files.Write(ctxT(t))
	if err := s.Send(&agentv1.WriteRequest{Part: &agentv1.WriteRequest_Header{Header: &agentv1.WriteHeader{Path: []byte(path), Mode: mode, MakeParents: true}}}); err != nil {
		t.Fatal(err)
	}
	for len(data) > 0 {
		n := min(len(data), 100000)
		if err := s.Send(&agentv1.WriteRequest{Part: &agentv1.WriteRequest_Data{Data: data[:n]}}); err != nil {
			t.Fatal(err)
		}
		data = data[n:]
	}
	res, err := s.CloseAndReceive()
	if err != nil {
		t.Fatalf("write %q: %v", path, err)
	}
	return res.Msg.Entry
}

func readFile(t *testing.T, c *clients, path string, max uint64) ([]byte, error) {
	t.Helper()
	s, err := c.files.Read(ctxT(t), connect.NewRequest(&agentv1.ReadRequest{Path: []byte(path), MaxBytes: max}))
	if err != nil {
		return nil, err
	}
	var out []byte
	for s.Receive() {
		if len(s.Msg().Data) > readChunk {
			t.Fatalf("chunk %d", len(s.Msg().Data))
		}
		out = append(out, s.Msg().Data...)
	}
	return out, s.Err()
}

func TestWriteReadOwnershipAndMode(t *testing.T) {
	c := start(t)
	data := make([]byte, 1<<20+17)
	for i := range data {
		data[i] = byte(i * 7)
	}
	e := writeFile(t, c, "deep/er/f.bin", data, 0o600)
	if e.Size != uint64(len(data)) || e.Mode != 0o600 || string(e.Path) != "deep/er/f.bin" {
		t.Fatalf("entry %+v", e)
	}
	for _, p := range []string{"deep", "deep/er", "deep/er/f.bin"} {
		st, err := os.Stat(filepath.Join(c.ws, p))
		if err != nil {
			t.Fatal(err)
		}
		if s := st.Sys().(*syscall.Stat_t); s.Uid != testUID || s.Gid != testGID {
			t.Errorf("%s owned by %d:%d", p, s.Uid, s.Gid)
		}
	}
	got, err := readFile(t, c, "deep/er/f.bin", 0)
	if err != nil || string(got) != string(data) {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
	if _, err := readFile(t, c, "deep/er/f.bin", 1000); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Fatalf("max_bytes: %v", err)
	}
	if _, err := readFile(t, c, "missing", 0); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("missing: %v", err)
	}
}

func TestWriteManyAndList(t *testing.T) {
	c := start(t)
	s := c.files.WriteMany(ctxT(t))
	var batch []*agentv1.WholeFile
	for i := range 300 {
		batch = append(batch, &agentv1.WholeFile{Path: []byte(filepath.Join("src", string(rune('a'+i%5)), "f"+string(rune('A'+i%26))+string(rune('0'+i/26)))), Data: []byte{byte(i)}})
	}
	batch = append(batch, &agentv1.WholeFile{Path: []byte("node_modules/x/index.js"), Data: []byte("x")})
	if err := s.Send(&agentv1.WriteManyRequest{Files: batch}); err != nil {
		t.Fatal(err)
	}
	res, err := s.CloseAndReceive()
	if err != nil || res.Msg.FilesWritten != 301 {
		t.Fatalf("writemany %v %v", res, err)
	}
	ls, err := c.files.List(ctxT(t), connect.NewRequest(&agentv1.ListFilesRequest{Recursive: true, SkipDirs: []string{"node_modules"}}))
	if err != nil {
		t.Fatal(err)
	}
	var files, dirs []string
	for ls.Receive() {
		for _, e := range ls.Msg().Entries {
			if e.Type == agentv1.FileType_FILE_TYPE_FILE {
				files = append(files, string(e.Path))
			} else {
				dirs = append(dirs, string(e.Path))
			}
		}
	}
	if ls.Err() != nil {
		t.Fatal(ls.Err())
	}
	sort.Strings(dirs)
	if len(files) != 300 || len(dirs) != 7 || dirs[0] != "node_modules" || dirs[1] != "src" {
		t.Fatalf("%d files, dirs %v", len(files), dirs)
	}
	_ = io.EOF
}
