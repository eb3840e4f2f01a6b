import { SandboxError } from "../errors";
import { nameOfPath, pathOfName } from "../byte-names";
import type { RefusedFile } from "../workspace-files";
import { escapeNonUtf8 } from "../workspace-manifest";

// File names come from the agent as bytes (a Linux name need not be UTF-8). A name that is
// valid UTF-8 is its text; one that is not is kept exactly under its escaped path (`\xHH` for
// each invalid byte, byte-names.ts), never a lossy decode (which would name another file, or
// none). Both then pass the same rules (no NUL or control characters, no '..', not absolute,
// no empty or '.' segments, length caps). A refused name is reported under its escaped form,
// which can be logged and shown, never used as a path.

export type AgentPath = { ok: true; path: string } | { ok: false; refused: RefusedFile };

export function decodeAgentPath(bytes: Uint8Array): AgentPath {
  const check = pathOfName(bytes);
  // The name as the tar/find path reports it (workspace-manifest.ts): whoever shows it escapes it.
  if (!check.ok) return { ok: false, refused: { path: escapeNonUtf8(bytes).slice(0, 1024), reason: "invalid-path", detail: check.reason } };
  return { ok: true, path: check.path };
}

/** A path we send (text or escaped, as stored): the checks run before anything reaches the agent; "" is the workspace root. */
export function encodeWorkspacePath(path: string): Uint8Array {
  if (path === "") return new Uint8Array(0);
  const name = nameOfPath(path);
  if (!name) throw new SandboxError("BAD_REQUEST", `refused path ${JSON.stringify(path.slice(0, 120))}: not an acceptable workspace path`);
  return new Uint8Array(name);
}
