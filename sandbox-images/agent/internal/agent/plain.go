package agent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"connectrpc.com/connect"
)

// FeaturePlainCommand is listed by Hello when StartRequest.plain_command is honoured.
const FeaturePlainCommand = "plain_command"

// plainCommand resolves a plain command's executable and environment exactly as `bash -c 'word
// args'` does just before its one execve (bash execs a lone simple command in place, no fork):
//   - the executable is the first file on PATH that is a regular file executable by the sandbox
//     user (bash's search skips files it may not execute); a word with a slash is used as it is;
//   - the environment gains PWD (the directory, unless an inherited PWD already names it), SHLVL
//     (bash raises it at start and lowers it again before the in-place exec: unchanged, or 0
//     when unset) and `_` (the path bash executes).
//
// Whenever bash would do something else, it refuses with a Connect error and nothing starts: the
// host then runs the command through bash, which produces the shell's own behaviour (messages,
// 126/127, running a file without `#!` as a script). Exec errors (ENOEXEC, EACCES from a mount)
// are refused the same way by the caller's ForkExec, which reports them before any process runs.
func plainCommand(word string, env []string, cwd string, uid, gid int) (string, []string, error) {
	path, err := lookPathAs(word, env, uid, gid)
	if err != nil {
		return "", nil, connect.NewError(connect.CodeNotFound, err)
	}
	vars := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
		if shellReads(k) {
			return "", nil, connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf("%s is set: run through the shell", k))
		}
	}
	add := map[string]string{"_": path}
	if pwd, ok := vars["PWD"]; !ok || !sameDir(pwd, cwd) {
		add["PWD"] = physical(cwd)
	}
	if lvl, ok := vars["SHLVL"]; !ok {
		add["SHLVL"] = "0"
	} else if n, err := strconv.Atoi(lvl); err != nil || n < 0 || n >= 999 || strconv.Itoa(n) != lvl {
		// bash rewrites such values (and warns past 999): leave that to bash.
		return "", nil, connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf("SHLVL %q: run through the shell", lvl))
	}
	return path, mergeEnv(env, add), nil
}

// shellReads: variables that make a non-interactive bash do more before its exec (BASH_ENV is
// sourced, BASH_FUNC_* define functions, SHELLOPTS/BASHOPTS turn on xtrace and the like, PS4 is
// what xtrace prints, POSIXLY_CORRECT is posix mode, ENV is read in sh mode).
func shellReads(name string) bool {
	switch name {
	case "SHELLOPTS", "BASHOPTS", "POSIXLY_CORRECT", "PS4", "ENV", "IFS":
		return true
	}
	return strings.HasPrefix(name, "BASH")
}

// lookPathAs is bash's PATH search for the sandbox user (uid, gid, no supplementary groups, as
// the child runs): the first regular file it may execute.
func lookPathAs(file string, env []string, uid, gid int) (string, error) {
	if strings.Contains(file, "/") {
		return file, nil
	}
	path := ""
	found := false
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path, found = v, true
		}
	}
	if !found {
		return "", errors.New("no PATH: run through the shell")
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" || !filepath.IsAbs(dir) {
			// Relative entries resolve against the process's directory: leave them to bash.
			return "", fmt.Errorf("relative PATH entry %q: run through the shell", dir)
		}
		full := filepath.Join(dir, file)
		var st syscall.Stat_t
		if syscall.Stat(full, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
			continue
		}
		if executableBy(st, uid, gid) {
			return full, nil
		}
	}
	return "", fmt.Errorf("%s: not found on PATH", file)
}

func executableBy(st syscall.Stat_t, uid, gid int) bool {
	switch {
	case int(st.Uid) == uid:
		return st.Mode&0o100 != 0
	case int(st.Gid) == gid:
		return st.Mode&0o010 != 0
	default:
		return st.Mode&0o001 != 0
	}
}

func sameDir(a, b string) bool {
	if !filepath.IsAbs(a) {
		return false
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// physical is the directory as getcwd names it (bash sets PWD from getcwd when none is inherited).
func physical(dir string) string {
	if p, err := filepath.EvalSymlinks(dir); err == nil {
		return p
	}
	return dir
}
