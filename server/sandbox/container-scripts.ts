// Bash programs the engine runs inside containers through exec, always as the sandbox user.
// Variable data (commands, pids, paths) is passed as positional arguments, never spliced into
// the script text, so nothing a user writes is ever parsed as part of these scripts.

export const SANDBOX_USER = "1000:1000";
export const WORKSPACE_DIR = "/workspace";

/**
 * Process-tree helpers in bash builtins only (they must work while the pids limit is exhausted).
 * scan_procs fills the caller's `pids` (live processes) and `parent` (pid → ppid) arrays;
 * descends_from PID SET is true when PID or one of its ancestors is in the space-padded SET.
 */
const PROC_TREE = `
scan_procs() {
  local d p line rest
  pids=()
  parent=()
  for d in /proc/[0-9]*; do
    p=\${d#/proc/}
    line=
    { read -r line < "$d/stat"; } 2>/dev/null || continue
    rest=\${line##*) }
    [[ \${rest:0:1} == Z || \${rest:0:1} == X ]] && continue
    rest=\${rest#* }
    parent[$p]=\${rest%% *}
    pids+=("$p")
  done
}
descends_from() {
  local q=$1 n
  for n in {1..64}; do
    [[ -z $q || $q == 0 || $q == 1 ]] && return 1
    [[ $2 == *" $q "* ]] && return 0
    q=\${parent[$q]}
  done
  return 1
}
stop_and_kill() {
  kill -STOP "$@" 2>/dev/null
  kill -KILL "$@" 2>/dev/null
}`;

/**
 * Kills every process in the container except those in $keep (PID 1 = init, the idle keeper,
 * and this shell) and the "kept roots" in $roots with their descendants (long-lived processes the
 * engine started on purpose: shells, dev servers, tunnels). Every process in the container runs
 * as the sandbox user, so "all but these" is the robust rule: daemonised children that setsid'd
 * away (reparented to init) are caught too. Processes are stopped before being killed so a fork
 * bomb cannot outrun the loop; only bash builtins are used, so the sweep itself needs no new pids
 * while the pids limit is exhausted.
 *
 * With $spare_execs set (the end of a run, and the finish that follows it), every other process
 * whose parent is outside the container (ppid 0) is spared too, with its descendants: only
 * `docker exec` makes such a process (a program inside can only fork, and its orphans go to
 * init), so these are the engine's own: a spawn that started during the run and has not been
 * registered as a kept root yet. The kill on timeout or cancel does not set it: there the running
 * command's own exec must die, and the engine waits for starting spawns to register instead.
 */
const SWEEP = `${PROC_TREE}
sweep() {
  local round p victims pids spared
  local -A parent
  for round in {1..12}; do
    scan_procs
    spared=$roots
    if [[ -n $spare_execs ]]; then
      for p in "\${pids[@]}"; do
        [[ \${parent[$p]} == 0 && $p != 1 && $p != $$ ]] && spared+="$p "
      done
    fi
    victims=()
    for p in "\${pids[@]}"; do
      [[ $keep == *" $p "* ]] && continue
      [[ $spared != " " ]] && descends_from "$p" "$spared" && continue
      victims+=("$p")
    done
    ((\${#victims[@]})) || return 0
    stop_and_kill "\${victims[@]}"
  done
  return 1
}`;

/** $1 = "<keeper pids>|<kept root pids>" (the "|roots" part is optional). */
const KEEP_ARGS = `
keep=" 1 $$ \${1%%|*} "
roots=" "
if [[ $1 == *"|"* ]]; then roots=" \${1#*|} "; fi`;

/**
 * The keeper is init's child (the idle command), found before any user code ran. A fresh
 * container can answer exec before init has spawned it (seen under gVisor), so wait for it:
 * missing it would let the first sweep kill the keeper, and init would then stop the container.
 */
const KEEPERS = `
keepers=" "
for attempt in {1..300}; do
  for d in /proc/[0-9]*; do
    p=\${d#/proc/}
    [[ $p == 1 || $p == $$ ]] && continue
    line=
    { read -r line < "$d/stat"; } 2>/dev/null || continue
    rest=\${line##*) }
    rest=\${rest#* }
    if [[ \${rest%% *} == 1 ]]; then keepers+="$p "; fi
  done
  if [[ $keepers != " " ]]; then break; fi
  sleep 0.01
done`;

/**
 * Load: first exec in a fresh container. Prints "K<keeper pids>\0" then extracts the tar on stdin
 * into /workspace, then prints the manifest. $@ = find arguments.
 */
export const LOAD_SCRIPT = `set -e
${KEEPERS}
printf 'K%s\\0' "$keepers"
tar -x -f - -m --no-same-owner --no-same-permissions -C ${WORKSPACE_DIR}
cd ${WORKSPACE_DIR}
exec "$@"`;

/**
 * Run one execution. $1 = keeper pids, $2 = "-" for a command or a file suffix for code read
 * from stdin, $3... = argv to run (the code file is appended). When the command returns, every
 * process it left behind is killed before this shell exits, so the exec's output stream closes
 * even if a background child still holds stdout.
 */
export const RUN_SCRIPT = `${SWEEP}
${KEEP_ARGS}
spare_execs=1
suffix=$2
shift 2
if [[ $suffix != - ]]; then
  file=/tmp/.pantheon-run-$$$suffix
  cat > "$file"
  set -- "$@" "$file"
fi
"$@" < /dev/null
rc=$?
sweep
exit $rc`;

/** Kill everything but the keepers ($1), then print the manifest. $2... = find arguments. */
export const FINISH_SCRIPT = `${SWEEP}
${KEEP_ARGS}
spare_execs=1
shift
sweep || echo "pantheon: processes survived the sweep" >&2
cd ${WORKSPACE_DIR}
exec "$@"`;

/** Kill everything but the keepers ($1): used on timeout and cancel. */
export const KILL_SCRIPT = `${SWEEP}
${KEEP_ARGS}
sweep`;

export function bashArgs(script: string, name: string, args: readonly string[]): string[] {
  return ["bash", "-c", script, name, ...args];
}

/** Splits the load script's output into keeper pids and the manifest text. */
export function splitLoadOutput(stdout: string): { keepers: string; manifest: string } {
  if (!stdout.startsWith("K")) return { keepers: "", manifest: stdout };
  const end = stdout.indexOf("\0");
  if (end < 0) return { keepers: stdout.slice(1).trim(), manifest: "" };
  return { keepers: stdout.slice(1, end).trim(), manifest: stdout.slice(end + 1) };
}

/**
 * Apply edits made outside an execution (the IDE saved or deleted files): extract the tar on
 * stdin, remove $2.. $(1+$1) paths, then print the manifest. $1 = number of paths to remove.
 */
/** List /workspace without touching any process (a shell or dev server may be running). $@ = find arguments. */
export const LIST_SCRIPT = `cd ${WORKSPACE_DIR}
exec "$@"`;

export const WRITE_SCRIPT = `set -e
cd ${WORKSPACE_DIR}
tar -x -f - -m --no-same-owner --no-same-permissions
n=$1
shift
while ((n > 0)); do rm -rf -- "$1"; shift; n=$((n - 1)); done
exec "$@"`;
