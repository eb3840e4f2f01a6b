import { randomUUID } from "node:crypto";
import { ZodError } from "zod";
import { AppError, type AppErrorCode, HTTP_STATUS } from "./app-error";
import { fromDatabaseError } from "./from-database-error";
import { fromSandboxError } from "./from-sandbox-error";

// What a caller may learn about a failure, decided once for REST (and mirrored by tRPC's
// errorFormatter). A known error keeps its message: it was written for the caller. An unknown
// one, or an AppError INTERNAL, leaves as a fixed message plus a request id; the real message
// goes to the log under the same id, so an operator can find it from a user's report. Other
// server-side failures (503, 504: a lost container, Docker down) keep their message and get an
// id too, so they are logged and traceable as well.

export interface PublicError {
  status: number;
  code: AppErrorCode;
  message: string;
  issues?: { path: string; message: string }[];
  retryAfterSeconds?: number;
  /** A write refused because its base version is not what is stored (409): what is stored now. */
  conflicts?: FileConflictView[];
  /** Set for every 5xx: the id the log line carries. */
  requestId?: string;
}

export const INTERNAL_MESSAGE = "Internal server error";

export interface FileConflictView {
  path: string;
  baseVersion: string | null;
  currentVersion: string | null;
}

/** The conflicts an AppError CONFLICT carries, re-read field by field: only these reach a caller. */
export function conflictsOf(err: unknown): FileConflictView[] | undefined {
  const cause = fromSandboxError(err);
  if (!(cause instanceof AppError) || cause.code !== "CONFLICT" || !Array.isArray(cause.details?.conflicts)) return undefined;
  return (cause.details.conflicts as FileConflictView[]).map((c) => ({ path: c.path, baseVersion: c.baseVersion, currentVersion: c.currentVersion }));
}

export function toPublicError(err: unknown, newId: () => string = randomUUID): PublicError {
  const cause = fromDatabaseError(fromSandboxError(err));
  if (cause instanceof ZodError) {
    const issues = cause.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
    return { status: 400, code: "BAD_REQUEST", message: `Invalid input: ${issues.map((i) => `${i.path || "(body)"} ${i.message}`).join("; ")}`, issues };
  }
  if (cause instanceof AppError && cause.code !== "INTERNAL") {
    const retry = cause.details?.retryAfterSeconds;
    const status = HTTP_STATUS[cause.code];
    const conflicts = conflictsOf(cause);
    return {
      status,
      code: cause.code,
      message: cause.message,
      ...(retry === undefined ? {} : { retryAfterSeconds: retry }),
      ...(conflicts ? { conflicts } : {}),
      ...(status >= 500 ? { requestId: newId() } : {}),
    };
  }
  return { status: 500, code: "INTERNAL", message: INTERNAL_MESSAGE, requestId: newId() };
}
