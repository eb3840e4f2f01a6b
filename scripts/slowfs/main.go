// slowfs: a loopback FUSE file system whose fsync (and, optionally, write) is slow, to test what
// the server does when the disk under its data folder is slow (issue 12 point 4). A test tool,
// not shipped: the integration test and the chaos harness build and mount it.
//
//	slowfs [-fsync-delay 200ms] [-write-delay 0] [-control FILE] SOURCE MOUNTPOINT
//
// Every file operation passes through to SOURCE; fsync/fdatasync of a file (PostgreSQL's WAL
// flush at each commit, its checkpoints) and, if set, each write, wait the delay first. The
// delays can change while mounted: the control file, read every 100 ms, holds lines like
// "fsync=200ms" or "write=5ms" (Go durations). A waiting operation re-reads the delay as it
// waits, so setting it back to 0 releases every stalled one at once (a stall is "fsync=1h").
// "ready" is printed once mounted; SIGTERM or SIGINT unmounts and prints how many calls waited.
// Mounting needs root (mount(2) directly; no fusermount needed) and /dev/fuse.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

var (
	fsyncDelay atomic.Int64 // nanoseconds
	writeDelay atomic.Int64
	fsyncs     atomic.Int64
	writes     atomic.Int64
)

// wait sleeps until the delay has passed since the call began, re-reading it every 20 ms so a
// shorter delay set meanwhile ends the wait early. A signal to the caller does not end it: a
// disk's fsync is not interruptible either (PostgreSQL's statement_timeout alarm interrupts the
// FUSE request, and returning early would make a stalled disk look fast).
func wait(delay *atomic.Int64) {
	start := time.Now()
	for {
		remaining := time.Duration(delay.Load()) - time.Since(start)
		if remaining <= 0 {
			return
		}
		time.Sleep(min(remaining, 20*time.Millisecond))
	}
}

// slowFile is the loopback file handle with Write and Fsync made slow; every other operation
// the loopback handle offers is promoted unchanged from the embedded interfaces.
type slowFile struct {
	fs.FileHandle
	fs.FileReader
	fs.FileWriter
	fs.FileFlusher
	fs.FileFsyncer
	fs.FileReleaser
	fs.FileGetattrer
	fs.FileSetattrer
	fs.FileLseeker
	fs.FileAllocater
	fs.FileGetlker
	fs.FileSetlker
	fs.FileSetlkwer
}

func (f *slowFile) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	writes.Add(1)
	wait(&writeDelay)
	return f.FileWriter.Write(ctx, data, off)
}

func (f *slowFile) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	fsyncs.Add(1)
	wait(&fsyncDelay)
	return f.FileFsyncer.Fsync(ctx, flags)
}

func wrap(fh fs.FileHandle) fs.FileHandle {
	if fh == nil {
		return nil
	}
	// The loopback handle implements all of these; a missing one would be a go-fuse change.
	return &slowFile{
		FileHandle:    fh,
		FileReader:    fh.(fs.FileReader),
		FileWriter:    fh.(fs.FileWriter),
		FileFlusher:   fh.(fs.FileFlusher),
		FileFsyncer:   fh.(fs.FileFsyncer),
		FileReleaser:  fh.(fs.FileReleaser),
		FileGetattrer: fh.(fs.FileGetattrer),
		FileSetattrer: fh.(fs.FileSetattrer),
		FileLseeker:   fh.(fs.FileLseeker),
		FileAllocater: fh.(fs.FileAllocater),
		FileGetlker:   fh.(fs.FileGetlker),
		FileSetlker:   fh.(fs.FileSetlker),
		FileSetlkwer:  fh.(fs.FileSetlkwer),
	}
}

type slowNode struct{ fs.LoopbackNode }

func (n *slowNode) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	fh, fuseFlags, errno := n.LoopbackNode.Open(ctx, flags)
	return wrap(fh), fuseFlags, errno
}

func (n *slowNode) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	inode, fh, fuseFlags, errno := n.LoopbackNode.Create(ctx, name, flags, mode, out)
	return inode, wrap(fh), fuseFlags, errno
}

func newNode(root *fs.LoopbackRoot, _ *fs.Inode, _ string, _ *syscall.Stat_t) fs.InodeEmbedder {
	return &slowNode{fs.LoopbackNode{RootData: root}}
}

// readControl applies "fsync=200ms" / "write=0" lines; a malformed line is reported once and kept out.
func readControl(path string, reported map[string]bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		key, value, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		d, err := time.ParseDuration(strings.TrimSpace(value))
		if value == "0" {
			d, err = 0, nil
		}
		if err != nil || d < 0 {
			if !reported[line] {
				fmt.Fprintf(os.Stderr, "slowfs: ignoring control line %q\n", line)
				reported[line] = true
			}
			continue
		}
		switch strings.TrimSpace(key) {
		case "fsync":
			fsyncDelay.Store(int64(d))
		case "write":
			writeDelay.Store(int64(d))
		}
	}
}

func main() {
	fsyncFlag := flag.Duration("fsync-delay", 200*time.Millisecond, "wait before each fsync/fdatasync of a file")
	writeFlag := flag.Duration("write-delay", 0, "wait before each write")
	control := flag.String("control", "", "file read every 100 ms for fsync=/write= delays")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: slowfs [-fsync-delay D] [-write-delay D] [-control FILE] SOURCE MOUNTPOINT")
		os.Exit(2)
	}
	source, mountpoint := flag.Arg(0), flag.Arg(1)
	fsyncDelay.Store(int64(*fsyncFlag))
	writeDelay.Store(int64(*writeFlag))

	var st syscall.Stat_t
	if err := syscall.Stat(source, &st); err != nil {
		fmt.Fprintf(os.Stderr, "slowfs: %s: %v\n", source, err)
		os.Exit(1)
	}
	root := &fs.LoopbackRoot{Path: source, Dev: st.Dev, NewNode: newNode}
	root.RootNode = newNode(root, nil, "", &st)
	server, err := fs.Mount(mountpoint, root.RootNode, &fs.Options{
		MountOptions: fuse.MountOptions{
			// PostgreSQL runs as its own user when started by root: it must reach the mount, and
			// the kernel checks permissions as a local file system would.
			AllowOther:        true,
			DirectMountStrict: true,
			FsName:            "slowfs:" + source,
			Name:              "slowfs",
			Options:           []string{"default_permissions"},
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "slowfs: mount %s: %v\n", mountpoint, err)
		os.Exit(1)
	}

	if *control != "" {
		go func() {
			reported := map[string]bool{}
			for {
				readControl(*control, reported)
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		// Release every waiting call first, so the unmount is not held by a stalled fsync.
		fsyncDelay.Store(0)
		writeDelay.Store(0)
		if err := server.Unmount(); err != nil {
			_ = syscall.Unmount(mountpoint, syscall.MNT_DETACH)
		}
	}()
	fmt.Println("ready")
	server.Wait()
	fmt.Printf("slowfs: unmounted %s; %d fsyncs and %d writes passed through the delay\n", mountpoint, fsyncs.Load(), writes.Load())
}
