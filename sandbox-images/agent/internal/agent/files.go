package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"connectrpc.com/connect"
	"golang.org/x/sys/unix"

	"pantheon/agent/gen/agentv1"
)

const (
	readChunk    = 256 << 10
	listBatch    = 1000
	defaultMode  = 0o644
	maxListDepth = 256
)

type fileService struct{ a *Agent }

func entryFromStat(path []byte, st *unix.Stat_t) *agentv1.FileEntry {
	e := &agentv1.FileEntry{Path: path, Size: uint64(st.Size), Mode: st.Mode & 0o7777, MtimeNs: st.Mtim.Nano()}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		e.Type = agentv1.FileType_FILE_TYPE_FILE
	case unix.S_IFDIR:
		e.Type = agentv1.FileType_FILE_TYPE_DIRECTORY
		e.Size = 0
	case unix.S_IFLNK:
		e.Type = agentv1.FileType_FILE_TYPE_SYMLINK
	default:
		e.Type = agentv1.FileType_FILE_TYPE_OTHER
		e.Size = 0
	}
	return e
}

func readlinkAt(dirfd int, name string) []byte {
	buf := make([]byte, 4096)
	n, err := unix.Readlinkat(dirfd, name, buf)
	if err != nil {
		return nil
	}
	return buf[:n]
}

// statAt is lstat of dirfd/name as an entry (symlinks reported as such, with their target).
func statAt(dirfd int, name string, path []byte) (*agentv1.FileEntry, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, err
	}
	e := entryFromStat(path, &st)
	if e.Type == agentv1.FileType_FILE_TYPE_SYMLINK {
		e.LinkTarget = readlinkAt(dirfd, name)
	}
	return e, nil
}

func (r *fsRoot) stat(p []byte) (*agentv1.FileEntry, error) {
	parts, err := splitRel(p)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		var st unix.Stat_t
		if err := unix.Fstat(r.fd, &st); err != nil {
			return nil, mapErr(err)
		}
		return entryFromStat([]byte{}, &st), nil
	}
	dir, name, err := r.parent(p, false)
	if err != nil {
		return nil, err
	}
	defer unix.Close(dir)
	e, err := statAt(dir, name, []byte(strings.Join(parts, "/")))
	return e, mapErr(err)
}

func (s *fileService) Stat(_ context.Context, req *connect.Request[agentv1.StatRequest]) (*connect.Response[agentv1.StatResponse], error) {
	var e *agentv1.FileEntry
	err := s.a.root.asSandbox(func() (err error) { e, err = s.a.root.stat(req.Msg.Path); return })
	if connect.CodeOf(err) == connect.CodeNotFound {
		return connect.NewResponse(&agentv1.StatResponse{}), nil
	}
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&agentv1.StatResponse{Entry: e}), nil
}

// walk lists dirfd (at relative prefix) into emit, descending when recursive; skip holds names.
func walk(ctx context.Context, dirfd int, prefix string, recursive bool, skip map[string]bool, depth int, emit func(*agentv1.FileEntry) error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	fd, err := unix.Openat(dirfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), prefix)
	defer f.Close()
	for {
		names, err := f.Readdirnames(512)
		for _, name := range names {
			rel := name
			if prefix != "" {
				rel = prefix + "/" + name
			}
			e, serr := statAt(fd, name, []byte(rel))
			if serr != nil {
				continue // vanished meanwhile
			}
			if err := emit(e); err != nil {
				return err
			}
			if recursive && e.Type == agentv1.FileType_FILE_TYPE_DIRECTORY && !skip[name] && depth < maxListDepth {
				sub, err := unix.Openat(fd, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
				if err != nil {
					continue
				}
				err = walk(ctx, sub, rel, true, skip, depth+1, emit)
				unix.Close(sub)
				if err != nil && !errors.Is(err, unix.EACCES) && !errors.Is(err, unix.ENOENT) {
					return err
				}
			}
		}
		if err == io.EOF || len(names) == 0 {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (s *fileService) List(ctx context.Context, req *connect.Request[agentv1.ListFilesRequest], stream *connect.ServerStream[agentv1.ListFilesResponse]) error {
	parts, err := splitRel(req.Msg.Path)
	if err != nil {
		return err
	}
	skip := map[string]bool{}
	for _, d := range req.Msg.SkipDirs {
		skip[d] = true
	}
	var batch []*agentv1.FileEntry
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := stream.Send(&agentv1.ListFilesResponse{Entries: batch})
		batch = nil
		return err
	}
	err = s.a.root.asSandbox(func() error {
		dir, err := s.a.root.openDir(parts, false)
		if err != nil {
			return err
		}
		defer unix.Close(dir)
		return walk(ctx, dir, strings.Join(parts, "/"), req.Msg.Recursive, skip, 0, func(e *agentv1.FileEntry) error {
			batch = append(batch, e)
			if len(batch) >= listBatch {
				return flush()
			}
			return nil
		})
	})
	if err != nil {
		return mapErr(err)
	}
	return flush()
}

func (s *fileService) Read(ctx context.Context, req *connect.Request[agentv1.ReadRequest], stream *connect.ServerStream[agentv1.ReadResponse]) error {
	var f *os.File
	err := s.a.root.asSandbox(func() (err error) { f, err = s.a.root.openFile(req.Msg.Path); return })
	if err != nil {
		return err
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return mapErr(err)
	}
	parts, _ := splitRel(req.Msg.Path)
	entry := entryFromStat([]byte(strings.Join(parts, "/")), &st)
	if entry.Type != agentv1.FileType_FILE_TYPE_FILE {
		return connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf("not a regular file (%v)", entry.Type))
	}
	if req.Msg.MaxBytes > 0 && entry.Size > req.Msg.MaxBytes {
		return connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf("file is %d bytes, more than %d", entry.Size, req.Msg.MaxBytes))
	}
	first := true
	buf := make([]byte, readChunk)
	var total uint64
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		n, rerr := f.Read(buf)
		total += uint64(n)
		if req.Msg.MaxBytes > 0 && total > req.Msg.MaxBytes {
			return connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf("file grew past %d bytes", req.Msg.MaxBytes))
		}
		if n > 0 || first {
			msg := &agentv1.ReadResponse{Data: buf[:n]}
			if first {
				msg.Entry = entry
				first = false
			}
			if err := stream.Send(msg); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return mapErr(rerr)
		}
	}
}

// createFile opens path for writing (created as the sandbox user, truncated, never through a
// symlink), with mode applied exactly (no umask).
func (r *fsRoot) createFile(p []byte, mode uint32, mkdir bool) (*os.File, string, error) {
	if mode == 0 {
		mode = defaultMode
	}
	mode &= 0o777
	parts, err := splitRel(p)
	if err != nil {
		return nil, "", err
	}
	var fd int
	err = r.asSandbox(func() error {
		dir, name, err := r.parent(p, mkdir)
		if err != nil {
			return err
		}
		defer unix.Close(dir)
		fd, err = unix.Openat(dir, name, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NOCTTY|unix.O_NONBLOCK, mode)
		if err != nil {
			return mapErr(err)
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			unix.Close(fd)
			return connect.NewError(connect.CodeFailedPrecondition, errors.New("not a regular file"))
		}
		_ = unix.SetNonblock(fd, false)
		return mapErr(unix.Fchmod(fd, mode))
	})
	if err != nil {
		return nil, "", err
	}
	return os.NewFile(uintptr(fd), string(p)), strings.Join(parts, "/"), nil
}

func fileEntryOf(f *os.File, rel string) *agentv1.FileEntry {
	var st unix.Stat_t
	if unix.Fstat(int(f.Fd()), &st) != nil {
		return &agentv1.FileEntry{Path: []byte(rel)}
	}
	return entryFromStat([]byte(rel), &st)
}

func (s *fileService) Write(ctx context.Context, stream *connect.ClientStream[agentv1.WriteRequest]) (*connect.Response[agentv1.WriteResponse], error) {
	if !stream.Receive() {
		if err := stream.Err(); err != nil {
			return nil, err
		}
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("no header"))
	}
	h := stream.Msg().GetHeader()
	if h == nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("the first message must be the header"))
	}
	f, rel, err := s.a.root.createFile(h.Path, h.Mode, h.MakeParents)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	for stream.Receive() {
		if d := stream.Msg().GetData(); len(d) > 0 {
			if _, err := f.Write(d); err != nil {
				return nil, mapErr(err)
			}
		}
	}
	if err := stream.Err(); err != nil {
		return nil, err
	}
	return connect.NewResponse(&agentv1.WriteResponse{Entry: fileEntryOf(f, rel)}), nil
}

func (s *fileService) WriteMany(ctx context.Context, stream *connect.ClientStream[agentv1.WriteManyRequest]) (*connect.Response[agentv1.WriteManyResponse], error) {
	var n uint64
	for stream.Receive() {
		for _, wf := range stream.Msg().Files {
			f, _, err := s.a.root.createFile(wf.Path, wf.Mode, true)
			if err != nil {
				return nil, connect.NewError(connect.CodeOf(err), fmt.Errorf("%q: %w", wf.Path, err))
			}
			_, err = f.Write(wf.Data)
			f.Close()
			if err != nil {
				return nil, connect.NewError(connect.CodeOf(mapErr(err)), fmt.Errorf("%q: %w", wf.Path, err))
			}
			n++
		}
	}
	if err := stream.Err(); err != nil {
		return nil, err
	}
	return connect.NewResponse(&agentv1.WriteManyResponse{FilesWritten: n}), nil
}

func (s *fileService) Move(_ context.Context, req *connect.Request[agentv1.MoveRequest]) (*connect.Response[agentv1.MoveResponse], error) {
	err := s.a.root.asSandbox(func() error {
		fromDir, fromName, err := s.a.root.parent(req.Msg.From, false)
		if err != nil {
			return err
		}
		defer unix.Close(fromDir)
		toDir, toName, err := s.a.root.parent(req.Msg.To, true)
		if err != nil {
			return err
		}
		defer unix.Close(toDir)
		return mapErr(unix.Renameat(fromDir, fromName, toDir, toName))
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&agentv1.MoveResponse{}), nil
}

// removeAt unlinks dirfd/name; a directory's content first when recursive (never following links).
func removeAt(dirfd int, name string, recursive bool, depth int) error {
	err := unix.Unlinkat(dirfd, name, 0)
	if err == nil || !(errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EPERM)) {
		return err
	}
	if !recursive {
		return unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR)
	}
	if depth > maxListDepth {
		return unix.ELOOP
	}
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), name)
	for {
		names, rerr := f.Readdirnames(512)
		for _, n := range names {
			if err := removeAt(fd, n, true, depth+1); err != nil && !errors.Is(err, unix.ENOENT) {
				f.Close()
				return err
			}
		}
		if rerr != nil || len(names) == 0 {
			break
		}
	}
	f.Close()
	return unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR)
}

func (s *fileService) Remove(_ context.Context, req *connect.Request[agentv1.RemoveRequest]) (*connect.Response[agentv1.RemoveResponse], error) {
	err := s.a.root.asSandbox(func() error {
		dir, name, err := s.a.root.parent(req.Msg.Path, false)
		if err != nil {
			return err
		}
		defer unix.Close(dir)
		return mapErr(removeAt(dir, name, req.Msg.Recursive, 0))
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&agentv1.RemoveResponse{}), nil
}

func (s *fileService) MakeDir(_ context.Context, req *connect.Request[agentv1.MakeDirRequest]) (*connect.Response[agentv1.MakeDirResponse], error) {
	parts, err := splitRel(req.Msg.Path)
	if err != nil {
		return nil, err
	}
	err = s.a.root.asSandbox(func() error {
		fd, err := s.a.root.openDir(parts, true)
		if err == nil {
			unix.Close(fd)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&agentv1.MakeDirResponse{}), nil
}
