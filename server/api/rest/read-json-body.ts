import { AppError } from "@/server/errors/app-error";

/**
 * The request body as JSON, read with a cap: a declared or actual size above `maxBytes` is
 * refused (413) before anything is parsed, and malformed JSON is a 400 that says so.
 */
export async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `request body above ${maxBytes} bytes (SANDBOX_MAX_BODY_BYTES); send less`);
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!req.body) throw new AppError("BAD_REQUEST", "the request needs a JSON body");
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("BAD_REQUEST", "the body is not valid JSON");
  }
}
