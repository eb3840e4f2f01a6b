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

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  oga: "audio/ogg",
  m4a: "audio/mp4",
  flac: "audio/flac",
  mp4: "video/mp4",
  m4v: "video/mp4",
  webm: "video/webm",
  ogv: "video/ogg",
};

/** The audio or video MIME type for a path, or null. Played by <audio>/<video> from a data: URL (no script runs). */
export const mediaTypeOf = (path: string): string | null => MEDIA_TYPES[extension(path)] ?? null;

const ascii = (bytes: Uint8Array, at: number, text: string) => [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));
const startsWith = (bytes: Uint8Array, ...values: number[]) => values.every((v, i) => bytes[i] === v);

/**
 * What a binary file is, read from its first bytes (the format's signature), so the IDE can say
 * "PDF document" rather than "binary"; null when the bytes match no common format.
 */
export function binaryKindOf(bytes: Uint8Array): string | null {
  if (ascii(bytes, 0, "%PDF-")) return "PDF document";
  if (startsWith(bytes, 0x50, 0x4b, 0x03, 0x04) || startsWith(bytes, 0x50, 0x4b, 0x05, 0x06)) return "ZIP archive";
  if (startsWith(bytes, 0x1f, 0x8b)) return "gzip archive";
  if (ascii(bytes, 257, "ustar")) return "tar archive";
  if (startsWith(bytes, 0x00, 0x61, 0x73, 0x6d)) return "WebAssembly module";
  if (startsWith(bytes, 0x7f, 0x45, 0x4c, 0x46)) return "ELF executable";
  if (ascii(bytes, 0, "SQLite format 3")) return "SQLite database";
  if (ascii(bytes, 0, "wOFF") || ascii(bytes, 0, "wOF2")) return "web font";
  if (ascii(bytes, 0, "OTTO") || startsWith(bytes, 0x00, 0x01, 0x00, 0x00, 0x00)) return "font";
  if (ascii(bytes, 0, "RIFF") && ascii(bytes, 8, "WAVE")) return "WAV audio";
  if (ascii(bytes, 0, "ID3") || startsWith(bytes, 0xff, 0xfb) || startsWith(bytes, 0xff, 0xf3)) return "MP3 audio";
  if (ascii(bytes, 0, "OggS")) return "Ogg media";
  if (ascii(bytes, 0, "fLaC")) return "FLAC audio";
  if (ascii(bytes, 4, "ftyp")) return "MP4 media";
  if (startsWith(bytes, 0x1a, 0x45, 0xdf, 0xa3)) return "WebM media";
  if (startsWith(bytes, 0xca, 0xfe, 0xba, 0xbe)) return "Java class file";
  if (startsWith(bytes, 0x89, 0x50, 0x4e, 0x47)) return "PNG image";
  if (startsWith(bytes, 0xff, 0xd8, 0xff)) return "JPEG image";
  return null;
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
