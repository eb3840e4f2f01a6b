import { statfsSync } from "node:fs";
import { getAppRuntime } from "@/server/process/app-runtime";

// The data folder (PANTHEON_DATA_DIR: the embedded PostgreSQL's cluster, the session secret)
// can fill up. PostgreSQL then refuses writes (SQLSTATE 53100 disk_full) or, when even its WAL
// cannot grow, stops; either way nothing half-written is kept (a transaction is whole or gone).
// What the caller must get is a clear answer naming the folder, not a 500 or an anonymous 503.

/** Below this much free space the folder counts as full (PostgreSQL needs room for a WAL segment). */
export const DATA_FOLDER_LOW_BYTES = 16 * 1024 * 1024;
/** Seconds a caller is told to wait while the folder is full: an operator has to free space. */
export const DISK_FULL_RETRY_AFTER_SECONDS = 30;

// One per process, in the process registry: the custom server registers it, Next's route bundles read it.

/** The folder the embedded database lives in (null: an external DATABASE_URL, whose disk is not ours to see). */
export function registerDataFolder(path: string | null): void {
  if (path) getAppRuntime().dataFolder = path;
  else delete getAppRuntime().dataFolder;
}

export function dataFolder(): string | null {
  return getAppRuntime().dataFolder ?? null;
}

/** Free bytes for an unprivileged writer on the folder's file system, or null when it cannot be read. */
export function freeBytes(path: string): number | null {
  try {
    const s = statfsSync(path);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

let cached: { at: number; note: string | null } = { at: 0, note: null };

/** "the data folder /x is full (3 MiB free)" when it is, else null; read at most once a second. */
export function dataFolderFullNote(now = Date.now()): string | null {
  const folder = dataFolder();
  if (!folder) return null;
  if (now - cached.at < 1000) return cached.note;
  const free = freeBytes(folder);
  const note = free !== null && free < DATA_FOLDER_LOW_BYTES ? `the data folder ${folder} is full (${(free / 1048576).toFixed(1)} MiB free)` : null;
  cached = { at: now, note };
  return note;
}

const DISK_FULL_CODES = new Set(["53100", "ENOSPC", "EDQUOT"]);
const DISK_FULL_MESSAGES = [/no space left on device/i, /could not extend file/i, /disk quota exceeded/i];

/** A write refused for want of space: PostgreSQL's disk_full, or ENOSPC from a file write. */
export function isDiskFullError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e && typeof e === "object"; depth++) {
    const o = e as { code?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    if (typeof o.code === "string" && DISK_FULL_CODES.has(o.code)) return true;
    if (typeof o.message === "string" && DISK_FULL_MESSAGES.some((r) => r.test(o.message as string))) return true;
    e = o.meta?.driverAdapterError ?? o.cause;
  }
  return false;
}

/** What a caller is told: the folder, and what to do. */
export function diskFullMessage(): string {
  const folder = dataFolder();
  return folder
    ? `The data folder ${folder} is full: nothing of this request was stored. Free space there (or grow the volume), then retry.`
    : "The database server's disk is full: nothing of this request was stored. Free space on it, then retry.";
}
