// A file's language for the editor and the seed's file_type column, from its name.
const BY_EXTENSION: Record<string, string> = {
  ts: "typescript",
  tsx: "typescript",
  mts: "typescript",
  cts: "typescript",
  js: "javascript",
  jsx: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  json: "json",
  md: "markdown",
  py: "python",
  vue: "vue",
  html: "html",
  css: "css",
  scss: "scss",
  sh: "shell",
  yml: "yaml",
  yaml: "yaml",
  toml: "toml",
  txt: "plaintext",
  sql: "sql",
  svg: "xml",
  xml: "xml",
};

export function fileTypeOf(path: string): string | null {
  const name = path.split("/").pop() ?? "";
  if (name === "Dockerfile") return "dockerfile";
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return null;
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? null;
}
