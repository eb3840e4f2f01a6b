/** A local file as the files API takes it: UTF-8 text as is, anything else base64. */
export async function readForUpload(file: Blob): Promise<{ content: string; encoding: "utf8" | "base64" }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (!bytes.includes(0)) {
    try {
      return { content: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf8" };
    } catch {
      // not UTF-8: fall through to base64
    }
  }
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { content: btoa(binary), encoding: "base64" };
}

/**
 * Far above any configurable file size limit (SANDBOX_MAX_FILE_SIZE is at most 10 MiB), so the
 * browser does not send a huge body only to hear it refused. Below this, the server decides and says why.
 */
export const UPLOAD_HARD_CAP = 16 * 1024 * 1024;

/**
 * The version a refused create-only upload met: the tRPC CONFLICT's `data.conflicts` entry for
 * `path` (null: no such entry, e.g. another error). An upload over an existing file is confirmed
 * first and then sent based on this version, so it replaces only what the person agreed to replace.
 */
export function conflictingVersion(error: unknown, path: string): string | null {
  const data = (error as { data?: { code?: unknown; conflicts?: unknown } } | null)?.data;
  if (data?.code !== "CONFLICT" || !Array.isArray(data.conflicts)) return null;
  for (const c of data.conflicts as unknown[]) {
    const conflict = c as { path?: unknown; currentVersion?: unknown } | null;
    if (conflict?.path === path && typeof conflict.currentVersion === "string") return conflict.currentVersion;
  }
  return null;
}
