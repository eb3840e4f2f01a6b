// A command string that needs no shell, as argv: the engine then starts it without `bash -c`
// (a bash start per run: ~1–2 ms under runc, ~10 ms under gVisor). Anything a shell would
// interpret, or run differently from the program of the same name, stays a shell command.
// The agent does the rest exactly as bash's in-place exec would (plain_command in agent.proto:
// PATH search for the sandbox user, PWD/SHLVL/`_`) or refuses, and the engine then runs the
// command through bash after all (agent-run.ts).

/**
 * Characters a word may hold and mean only themselves to bash: no quoting, expansion (`$`, `` ` ``,
 * `~`, globs, braces), comments, operators or redirections. Non-ASCII bytes are left to the shell
 * (locale-dependent word splitting).
 */
const PLAIN_WORD = /^[A-Za-z0-9_./:@%+,=-]+$/;

/**
 * Bash builtins and reserved words: bash runs its own, not the file of that name, so they stay
 * shell commands, except the three below where the file does exactly what the builtin does for
 * the arguments allowed.
 */
const SHELL_NAMES = new Set(
  (
    ". : [ alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown echo enable eval exec exit " +
    "export false fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly return " +
    "set shift shopt source suspend test times trap true type typeset ulimit umask unalias unset wait " +
    "if then else elif fi case esac for select while until do done in function time { } ! [[ ]] coproc"
  ).split(" "),
);

/** Builtins whose file does the same for these arguments (coreutils `true --help` prints help). */
function sameAsBuiltin(name: string, args: string[]): boolean {
  if (name === "true" || name === "false") return args.length === 0;
  // coreutils echo takes -n/-e/-E and a lone --help/--version; bash's echo no long options.
  // Backslashes never reach here (not a plain word character).
  if (name === "echo") return args.every((a) => !a.startsWith("-"));
  return false;
}

/** The command's words when it is one plain simple command, else null (run it through bash). */
export function plainArgv(command: string): string[] | null {
  const words = command.split(/[ \t]+/).filter((w) => w !== "");
  const [name, ...args] = words;
  if (name === undefined) return null;
  if (!words.every((w) => PLAIN_WORD.test(w))) return null;
  // NAME=value first is an assignment to bash (any `=` there: keep it simple).
  if (name.includes("=")) return null;
  // `%1` / `%name` first is a job to bring back (fg) to bash.
  if (name.startsWith("%")) return null;
  if (SHELL_NAMES.has(name) && !sameAsBuiltin(name, args)) return null;
  return words;
}
