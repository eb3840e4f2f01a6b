import { readFileSync } from "node:fs";
import { join } from "node:path";

// PostgreSQL writes postmaster.pid into its data folder while it runs: line 1 the postmaster's
// pid, line 4 its port, line 8 its status ("starting", "ready", "stopping"). Reading it tells a
// second program (the admin CLI) where the server's embedded database listens, so it can use
// that one instead of trying to start a second PostgreSQL on the same folder, which fails.

export interface RunningPostgres {
  pid: number;
  port: number;
  status: string;
}

export class DataFolderUnreadableError extends Error {
  override readonly name = "DataFolderUnreadableError";
}

/** The PostgreSQL running on `dataDir` now, or null when none does (no file, or a stale one). */
export function findRunningPostgres(dataDir: string): RunningPostgres | null {
  const pidFile = join(dataDir, "postmaster.pid");
  let text: string;
  try {
    text = readFileSync(pidFile, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null; // no cluster folder: nothing runs there
    throw new DataFolderUnreadableError(`cannot read ${pidFile} (${code ?? String(e)}); run the command as the user that runs the server`);
  }
  return parsePostmasterPid(text, isAlive);
}

/** Pure part of findRunningPostgres, so the file format is unit-tested without a cluster. */
export function parsePostmasterPid(text: string, alive: (pid: number) => boolean): RunningPostgres | null {
  const lines = text.split("\n");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  const port = Number.parseInt(lines[3] ?? "", 10);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !alive(pid)) return null;
  // A live pid with no port yet is a postmaster still writing its file: report it as starting.
  if (!Number.isSafeInteger(port) || port <= 0 || port > 65535) return { pid, port: 0, status: "starting" };
  return { pid, port, status: (lines[7] ?? "").trim() || "starting" };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user (postgres runs as "postgres" under root).
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A live process that is a postgres. A pid reused by another program after a kill -9 is not:
 * its stale postmaster.pid may go. Where /proc cannot tell (not Linux, hidepid), assume it is.
 */
export function isLivePostgres(pid: number, readComm: (pid: number) => string | null = procComm): boolean {
  if (!isAlive(pid)) return false;
  const comm = readComm(pid);
  return comm === null || comm.includes("postgres");
}

function procComm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return null;
  }
}
