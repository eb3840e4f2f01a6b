// Child processes for the image build, with their output forwarded line by line to the log.
import { spawn, type SpawnOptions } from "node:child_process";

export type Log = (line: string) => void;

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  log?: Log;
  /** Prefix for forwarded output lines; output is dropped when no log is given. */
  label?: string;
  timeoutMs?: number;
  /** Output lines matching this are kept for the error tail but not logged (per-package chatter). */
  quiet?: RegExp;
}

function forward(stream: NodeJS.ReadableStream | null, log: Log | undefined, label: string, keep: string[], quiet?: RegExp): void {
  if (!stream) return;
  let buffered = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split(/\r?\n|\r/);
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      keep.push(line);
      if (keep.length > 40) keep.shift();
      if (log && line.trim() && !quiet?.test(line)) log(`  ${label}${line}`);
    }
  });
}

/** Runs a command; rejects with its last output lines when it fails. */
export function runCommand(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const spawnOpts: SpawnOptions = { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] };
    const child = spawn(cmd, args, spawnOpts);
    const tail: string[] = [];
    let stdout = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    forward(child.stdout, opts.log, opts.label ?? "", tail, opts.quiet);
    forward(child.stderr, opts.log, opts.label ?? "", tail, opts.quiet);
    const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : undefined;
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${cmd} ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n${tail.join("\n")}`));
    });
  });
}

/** `producer | consumer`, e.g. tar -c | docker import -; fails if either side fails. */
export function runPipe(producer: [string, string[]], consumer: [string, string[]], opts: RunOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const left = spawn(producer[0], producer[1], { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const right = spawn(consumer[0], consumer[1], { cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    const tail: string[] = [];
    if (left.stdout && right.stdin) left.stdout.pipe(right.stdin);
    forward(left.stderr, opts.log, opts.label ?? "", tail);
    forward(right.stdout, opts.log, opts.label ?? "", tail);
    forward(right.stderr, opts.log, opts.label ?? "", tail);
    let pending = 2;
    let failed = false;
    const done = (who: string) => (code: number | null) => {
      if (code !== 0 && !failed) {
        failed = true;
        left.kill();
        right.kill();
        reject(new Error(`${who} failed (exit ${code}):\n${tail.join("\n")}`));
      }
      if (--pending === 0 && !failed) resolve();
    };
    left.on("error", reject);
    right.on("error", reject);
    left.on("close", done(producer[0]));
    right.on("close", done(consumer[0]));
  });
}
