import { SandboxError } from "../errors";
import type { RefusedFile } from "../workspace-files";
import { NON_UTF8_NAME_DETAIL, escapeNonUtf8 } from "../workspace-manifest";
import { checkWorkspacePath } from "../workspace-path";

// File names come from the agent as bytes (a Linux name need not be UTF-8). The host decides
// what it accepts with the same rules as the tar/find path: strict UTF-8 (a lossy decode would
// name another file, or none), then checkWorkspacePath (no NUL or control characters, no '..',
// not absolute, no empty or '.' segments, length caps). A refused name is reported under an
// escaped form that can be logged and shown, never used as a path.

export type AgentPath = { ok: true; path: string } | { ok: false; refused: RefusedFile };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function decodeAgentPath(bytes: Uint8Array): AgentPath {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { ok: false, refused: { path: escapeNonUtf8(bytes), reason: "non-utf8-name", detail: NON_UTF8_NAME_DETAIL } };
  }
  const check = checkWorkspacePath(text);
  // The name as the tar/find path reports it (workspace-manifest.ts): whoever shows it escapes it.
  if (!check.ok) return { ok: false, refused: { path: text.slice(0, 1024), reason: "invalid-path", detail: check.reason } };
  return { ok: true, path: check.path };
}

/** A path we send: the checks run before anything reaches the agent; "" is the workspace root. */
export function encodeWorkspacePath(path: string): Uint8Array {
  if (path === "") return new Uint8Array(0);
  const check = checkWorkspacePath(path);
  if (!check.ok) throw new SandboxError("BAD_REQUEST", `refused path ${JSON.stringify(path.slice(0, 120))}: ${check.reason}`);
  return new TextEncoder().encode(check.path);
}
