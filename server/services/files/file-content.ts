import { AppError } from "@/server/errors/app-error";

export type ContentEncoding = "utf8" | "base64";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * How written content is stored: as sent, except text holding NUL, which PostgreSQL text cannot
 * hold (22021): its UTF-8 bytes are stored as base64 instead, byte-exact, with the same version.
 * Reads then say `encoding: "base64"`.
 */
export function storableContent(content: string, encoding: ContentEncoding): { content: string; encoding: ContentEncoding } {
  if (encoding === "utf8" && content.includes("\u0000")) return { content: Buffer.from(content, "utf8").toString("base64"), encoding: "base64" };
  return { content, encoding };
}

/** Size in bytes of the decoded content; base64 must be canonical so the size is exact. */
export function contentSize(path: string, content: string, encoding: ContentEncoding): number {
  if (encoding === "utf8") return Buffer.byteLength(content, "utf8");
  if (!BASE64.test(content)) throw new AppError("BAD_REQUEST", `${path}: content is not valid base64`);
  return Buffer.from(content, "base64").length;
}
