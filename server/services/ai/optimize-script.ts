import { PSTATS_FORMAT } from "./optimize-pstats";

// The shell program one optimize/compare execution runs. Everything the profilers write stays in
// /tmp (a tmpfs the sync never reads back), so no profile can end up among the project's saved
// files; the program's own output goes to a file there too, so a chatty program cannot push the
// profile past the output cap. Results come back on stdout as lines after a marker that carries a
// per-call nonce, each payload base64 on one line.

/** Starts cProfile in every Python process (any command, not only `python x.py`) and saves it at exit. */
const SITECUSTOMIZE = `import atexit, cProfile, os
_dir = os.environ.get("PANTHEON_PROFILE_DIR")
if _dir:
    _profile = cProfile.Profile()
    def _save():
        _profile.disable()
        try:
            _profile.dump_stats(os.path.join(_dir, "%d.prof" % os.getpid()))
        except Exception:
            pass
    atexit.register(_save)
    _profile.enable()
`;

/**
 * V8 profiles code as it ran: for TypeScript that is tsx's transpiled output, whose lines differ
 * from the source. tsx registers its source maps with Node, so at exit this (on NODE_OPTIONS
 * --require) saves the maps of the project's TypeScript files for optimize-source-maps.ts.
 */
const SOURCE_MAP_SAVER = `const { findSourceMap } = require("node:module");
const fs = require("node:fs"), path = require("node:path"), { pathToFileURL } = require("node:url");
process.on("exit", () => {
  try {
    const root = process.env.PANTHEON_PROFILE_ROOT, out = {};
    let budget = 500;
    const walk = (dir, depth) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (budget <= 0 || e.name.startsWith(".") || e.name === "node_modules") continue;
        const p = path.join(dir, e.name);
        if (e.isDirectory() && depth < 12) walk(p, depth + 1);
        else if (e.isFile() && /\\.(ts|tsx|mts|cts)$/.test(e.name)) {
          budget--;
          const url = pathToFileURL(p).href, map = findSourceMap(url) || findSourceMap(p);
          if (map) out[url] = map.payload;
        }
      }
    };
    walk(root, 0);
    if (Object.keys(out).length) fs.writeFileSync(path.join(process.env.PANTHEON_PROFILE_DIR, "maps-" + process.pid + ".json"), JSON.stringify(out));
  } catch {}
});
`;

/** Sums a run's .prof files with pstats and prints the busiest functions as JSON (parsed by optimize-pstats.ts). */
const PSTATS_DUMP = `import json, pstats, sys
s = pstats.Stats(*sys.argv[1:])
rows = [[f, l, n, cc, nc, round(tt * 1e6), round(ct * 1e6)] for (f, l, n), (cc, nc, tt, ct, _) in s.stats.items()]
keep = {id(r) for r in sorted(rows, key=lambda r: -r[5])[:300]} | {id(r) for r in sorted(rows, key=lambda r: -r[6])[:300]}
print(json.dumps({"format": "${PSTATS_FORMAT}", "functions": [r for r in rows if id(r) in keep]}))
`;

/** The most of the program's output kept for the report (its end: where a crash is told). */
export const OUTPUT_TAIL_BYTES = 4000;

export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

export interface CandidateChanges {
  writes: Array<{ path: string; content: string; encoding: "utf8" | "base64" }>;
  deletes: string[];
}

export type ScriptPlan =
  | { mode: "profile"; command: string; runs: number; nonce: string }
  | { mode: "compare"; command: string; runs: number; nonce: string; candidate: CandidateChanges };

export function buildScript(plan: ScriptPlan): string {
  const dir = `/tmp/.pantheon-profile-${plan.nonce}`;
  const lines = [
    `D=${dir}; M='@@pantheon-profile-${plan.nonce}'; W=$(pwd); c=0`,
    `rm -rf "$D"; mkdir -p "$D/hooks" || exit 70`,
    `cat > "$D/hooks/sitecustomize.py" <<'PANTHEON_EOF'\n${SITECUSTOMIZE}PANTHEON_EOF`,
    `cat > "$D/hooks/dump.py" <<'PANTHEON_EOF'\n${PSTATS_DUMP}PANTHEON_EOF`,
    `cat > "$D/hooks/maps.cjs" <<'PANTHEON_EOF'\n${SOURCE_MAP_SAVER}PANTHEON_EOF`,
    `CMD=${shellQuote(plan.command)}`,
    // run <index> <side> <dir to run in> <profile?>
    `run() {`,
    `  r="$D/r$1-$2"; mkdir -p "$r"`,
    `  s=$(date +%s%N)`,
    `  if [ "$4" = yes ]; then`,
    `    (cd "$3" && NODE_OPTIONS="\${NODE_OPTIONS:+$NODE_OPTIONS }--cpu-prof --cpu-prof-dir=$r --require $D/hooks/maps.cjs" PANTHEON_PROFILE_DIR="$r" PANTHEON_PROFILE_ROOT="$3" PYTHONPATH="$D/hooks\${PYTHONPATH:+:$PYTHONPATH}" sh -c "$CMD") >"$D/out" 2>&1 </dev/null`,
    `  else`,
    `    (cd "$3" && sh -c "$CMD") >"$D/out" 2>&1 </dev/null`,
    `  fi`,
    `  c=$?; e=$(date +%s%N)`,
    `  echo "$M run $1 $2 $c $((e - s))"`,
    `  for f in "$r"/*.cpuprofile; do [ -f "$f" ] && { echo "$M cpuprofile $1"; base64 -w0 "$f"; echo; }; done`,
    `  for f in "$r"/maps-*.json; do [ -f "$f" ] && { echo "$M sourcemaps $1"; base64 -w0 "$f"; echo; }; done`,
    // A test, not ls: under gVisor ls answers EINVAL for files on this tmpfs.
    `  for f in "$r"/*.prof; do [ -f "$f" ] && { echo "$M pstats $1"; python3 "$D/hooks/dump.py" "$r"/*.prof | base64 -w0; echo; }; break; done`,
    `  rm -rf "$r"`,
    `  if [ $c -ne 0 ]; then echo "$M tail $1 $2"; tail -c ${OUTPUT_TAIL_BYTES} "$D/out" | base64 -w0; echo; fi`,
    `}`,
  ];
  if (plan.mode === "profile") {
    lines.push(`for i in $(seq 1 ${plan.runs}); do run $i baseline "$W" yes; [ $c -ne 0 ] && break; done`);
  } else {
    // The candidate runs in a copy of the workspace under /tmp with its change set applied; the
    // project's own files are never touched.
    lines.push(`mkdir -p "$D/cand" && cp -a "$W/." "$D/cand/" || { echo "$M nospace"; rm -rf "$D"; exit 71; }`);
    for (const del of plan.candidate.deletes) lines.push(`rm -rf -- "$D/cand/"${shellQuote(del)}`);
    for (const write of plan.candidate.writes) {
      const target = `"$D/cand/"${shellQuote(write.path)}`;
      const b64 = write.encoding === "base64" ? write.content : Buffer.from(write.content, "utf8").toString("base64");
      lines.push(
        `mkdir -p "$(dirname ${target})" && rm -rf -- ${target} && printf %s ${shellQuote(b64)} | base64 -d > ${target} || { echo "$M nospace"; rm -rf "$D"; exit 71; }`,
      );
    }
    // Interleaved, alternating which side goes first (ABBA), so drift in the machine's load
    // falls on both sides alike.
    lines.push(
      `for i in $(seq 1 ${plan.runs}); do`,
      `  if [ $((i % 2)) -eq 1 ]; then run $i baseline "$W" no; [ $c -ne 0 ] && break; run $i candidate "$D/cand" no; [ $c -ne 0 ] && break;`,
      `  else run $i candidate "$D/cand" no; [ $c -ne 0 ] && break; run $i baseline "$W" no; [ $c -ne 0 ] && break; fi`,
      `done`,
    );
  }
  lines.push(`rm -rf "$D"; echo "$M end"; exit $c`);
  return lines.join("\n");
}

export interface ScriptRun {
  index: number;
  side: "baseline" | "candidate";
  exitCode: number;
  wallMs: number;
}

export interface ScriptOutput {
  runs: ScriptRun[];
  cpuprofiles: string[];
  pstats: string[];
  sourceMaps: string[];
  /** The end of the program's output, for a run that exited non-zero. */
  failedTail: string | null;
  noSpace: boolean;
  /** The script reached its end (false: killed by the time limit, or its output was cut). */
  finished: boolean;
}

/** Reads the marker lines of `buildScript`'s output; anything else (a line the program forged without the nonce) is ignored. */
export function parseScriptOutput(stdout: string, nonce: string): ScriptOutput {
  const marker = `@@pantheon-profile-${nonce} `;
  const out: ScriptOutput = { runs: [], cpuprofiles: [], pstats: [], sourceMaps: [], failedTail: null, noSpace: false, finished: false };
  const lines = stdout.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith(marker)) continue;
    const [kind, ...rest] = line.slice(marker.length).split(" ");
    const payload = () => Buffer.from(lines[++i] ?? "", "base64").toString("utf8");
    if (kind === "run") {
      const [index, side, code, ns] = rest;
      if ((side === "baseline" || side === "candidate") && /^\d+$/.test(index ?? "") && /^\d+$/.test(code ?? "") && /^\d+$/.test(ns ?? "")) {
        out.runs.push({ index: Number(index), side, exitCode: Number(code), wallMs: Number(ns) / 1e6 });
      }
    } else if (kind === "cpuprofile") out.cpuprofiles.push(payload());
    else if (kind === "pstats") out.pstats.push(payload());
    else if (kind === "sourcemaps") out.sourceMaps.push(payload());
    else if (kind === "tail") out.failedTail = payload();
    else if (kind === "nospace") out.noSpace = true;
    else if (kind === "end") out.finished = true;
  }
  return out;
}
