// The interactive shell's WebSocket protocol, shared by the browser and the server.
//   browser → server: binary frames are keystrokes (raw bytes for the PTY); text frames are JSON
//                     control messages: {"type":"resize","cols":N,"rows":N}.
//   server → browser: binary frames are PTY output (raw bytes, ANSI included); text frames are
//                     JSON: "ready" once the shell runs, "exit" when it ends (then the socket
//                     closes), "error" when it could not start.

export const SHELL_PATH_PREFIX = "/ws/shell/";

/** Bounds of a terminal size either side accepts. */
export const SHELL_MAX_COLS = 500;
export const SHELL_MAX_ROWS = 200;

export type ShellClientMessage = { type: "resize"; cols: number; rows: number };

export type ShellExitReason = "exited" | "idle" | "container" | "shutdown";

export type ShellServerMessage =
  | { type: "ready"; idleMs: number }
  | { type: "exit"; reason: ShellExitReason; exitCode: number | null; message: string }
  | { type: "error"; code: "limit" | "unavailable" | "internal"; message: string };

/** WebSocket close codes the server uses (4000–4999 are the application's own). */
export const SHELL_CLOSE = {
  exited: 1000,
  shutdown: 1001,
  internal: 1011,
  idle: 4000,
  container: 4001,
  limit: 4429,
  unavailable: 4503,
} as const;

const isSize = (n: unknown, max: number): n is number => typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= max;

/** Parses a control message from the browser; null for anything malformed (ignored, never trusted). */
export function parseShellClientMessage(text: string): ShellClientMessage | null {
  if (text.length > 1024) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const message = value as Record<string, unknown>;
  if (message.type === "resize" && isSize(message.cols, SHELL_MAX_COLS) && isSize(message.rows, SHELL_MAX_ROWS)) {
    return { type: "resize", cols: message.cols, rows: message.rows };
  }
  return null;
}

/** The terminal size in the WebSocket URL (?cols=&rows=), clamped to sane bounds, or a default. */
export function shellSizeFromQuery(params: URLSearchParams): { cols: number; rows: number } {
  const read = (name: string, max: number, fallback: number) => {
    const n = Number(params.get(name));
    return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
  };
  return { cols: read("cols", SHELL_MAX_COLS, 80), rows: read("rows", SHELL_MAX_ROWS, 24) };
}
