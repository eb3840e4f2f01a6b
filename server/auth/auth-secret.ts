import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * NEXTAUTH_SECRET signs session cookies. When the operator sets none, make one and keep it in
 * the data folder (mode 600), so sessions survive restarts without a setup step.
 */
export function ensureAuthSecret(dataDir: string): string {
  const file = join(dataDir, "auth-secret");
  // An empty file is not a secret (an older version could leave one on a full disk): made again.
  if (existsSync(file)) {
    const kept = readFileSync(file, "utf8").trim();
    if (kept.length >= 32) return kept;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  // Written aside, then renamed: a full disk leaves the old state, never half a secret.
  const partial = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(partial, `${secret}\n`, { mode: 0o600 });
    renameSync(partial, file);
  } catch (e) {
    rmSync(partial, { force: true });
    const why = (e as NodeJS.ErrnoException).code === "ENOSPC" ? "the folder is full" : e instanceof Error ? e.message : String(e);
    throw new Error(`cannot write the session secret to ${file}: ${why}; free space in ${dataDir} or set NEXTAUTH_SECRET`, { cause: e });
  }
  return secret;
}
