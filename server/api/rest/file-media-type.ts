// The media type a stored file is served with when a client asks for its raw bytes. Text files
// (stored utf8) get their text type with charset=utf-8, unknown text is text/plain; binary files
// (stored base64) get their type by extension, else application/octet-stream. The route adds
// nosniff, attachment and a sandboxing CSP, so even text/html or SVG never runs as the app.

const BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  bmp: "image/bmp",
  ico: "image/x-icon",
  svg: "image/svg+xml",
  pdf: "application/pdf",
  wasm: "application/wasm",
  zip: "application/zip",
  gz: "application/gzip",
  tgz: "application/gzip",
  tar: "application/x-tar",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  mp4: "video/mp4",
  webm: "video/webm",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  otf: "font/otf",
  json: "application/json",
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  js: "text/javascript",
  mjs: "text/javascript",
  cjs: "text/javascript",
  md: "text/markdown",
  csv: "text/csv",
  xml: "application/xml",
  txt: "text/plain",
};

/** The bare media type (no parameters) of a file by its name and stored encoding. */
export function fileMediaType(path: string, encoding: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  const known = dot > 0 ? BY_EXTENSION[name.slice(dot + 1).toLowerCase()] : undefined;
  if (encoding === "base64") return known ?? "application/octet-stream";
  return known ?? "text/plain";
}

/** The Content-Type header: text types carry their charset. */
export function contentTypeHeader(mediaType: string, encoding: string): string {
  const textual = encoding !== "base64" && (mediaType.startsWith("text/") || mediaType.endsWith("json") || mediaType.endsWith("xml"));
  return textual ? `${mediaType}; charset=utf-8` : mediaType;
}

/**
 * Whether the Accept header asks for the raw bytes rather than the JSON envelope: it prefers
 * (by q-value; a tie goes to JSON) application/octet-stream, or a range matching the file's own
 * type (image/png, image/*, text/plain; for images, audio, video and fonts any type of the kind, as an
 * <img> asks `image/avif,image/webp,*\/*` for a PNG), over application/json. No Accept, or `*\/*` alone, is JSON.
 */
export function wantsRawBytes(accept: string | null, mediaType: string): boolean {
  if (!accept) return false;
  const [type] = mediaType.split("/");
  let json = 0;
  let raw = 0;
  for (const part of accept.split(",")) {
    const [range = "", ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) || 0 : 1;
    if (range === "application/json") json = Math.max(json, q);
    else if (range === "application/octet-stream" || range === mediaType || range === `${type}/*` || sameMediaKind(range, type)) raw = Math.max(raw, q);
  }
  return raw > json;
}

const MEDIA_KINDS = new Set(["image", "audio", "video", "font"]);

function sameMediaKind(range: string, fileType: string | undefined): boolean {
  const [kind] = range.split("/");
  return kind !== undefined && kind === fileType && MEDIA_KINDS.has(kind);
}
