import { AppError } from "@/server/errors/app-error";

export type ContentEncoding = "utf8" | "base64";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Size in bytes of the decoded content; base64 must be canonical so the size is exact. */
export function contentSize(path: string, content: string, encoding: ContentEncoding): number {
  if (encoding === "utf8") return Buffer.byteLength(content, "utf8");
  if (!BASE64.test(content)) throw new AppError("BAD_REQUEST", `${path}: content is not valid base64`);
  return Buffer.from(content, "base64").length;
}
