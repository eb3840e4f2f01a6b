/**
 * How the IDE shows a file it cannot edit as text: images as images, other binaries as a short
 * description with a download. Images are drawn by <img> from a data: URL, never put in the DOM:
 * an SVG in an <img> runs no script and loads nothing, while inline SVG markup would run in the app.
 */
const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  bmp: "image/bmp",
  ico: "image/x-icon",
  svg: "image/svg+xml",
};

const extension = (path: string) => {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
};

/** The image MIME type for a path, or null when it is not an image the browser draws. */
export const imageTypeOf = (path: string): string | null => IMAGE_TYPES[extension(path)] ?? null;

export const isSvg = (path: string) => extension(path) === "svg";

/** A data: URL of the file's bytes (base64 as stored) or of SVG text (UTF-8), typed as an image. */
export function imageDataUrl(mime: string, content: string, encoding: "base64" | "utf8"): string {
  if (encoding === "base64") return `data:${mime};base64,${content}`;
  return `data:${mime};charset=utf-8,${encodeURIComponent(content).replace(/'/g, "%27")}`;
}

/** "1.2 MB" style sizes for the binary view. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? "" : "s"}`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** The bytes of base64 content, for a download. */
export function base64Bytes(content: string): Uint8Array<ArrayBuffer> {
  const binary = atob(content);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
