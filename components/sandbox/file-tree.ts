/** One line of the file tree: a file, or a folder implied by the paths under it. */
export type TreeRow = { path: string; name: string; depth: number; folder: boolean; entryPoint: boolean };

/** Flat server paths → sorted rows with their parent folders, folders first at each level. */
export function toTreeRows(files: { filePath: string; isEntryPoint: boolean }[]): TreeRow[] {
  const rows = new Map<string, TreeRow>();
  for (const file of files) {
    const parts = file.filePath.split("/");
    parts.forEach((name, i) => {
      const path = parts.slice(0, i + 1).join("/");
      const folder = i < parts.length - 1;
      if (!rows.has(path)) rows.set(path, { path, name, depth: i, folder, entryPoint: !folder && file.isEntryPoint });
    });
  }
  // "0" sorts folders before files ("1") at every level.
  const key = (r: TreeRow) =>
    r.path
      .split("/")
      .map((part, i, all) => (i < all.length - 1 || r.folder ? `0${part}` : `1${part}`))
      .join("/");
  return [...rows.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export const parentOf = (path: string) => path.split("/").slice(0, -1).join("/");
export const baseName = (path: string) => path.split("/").pop() ?? path;
export const joinPath = (folder: string, name: string) => (folder ? `${folder}/${name}` : name);

/**
 * Where dropping `from` onto `folder` ("" = the root) moves it, or null when the drop means
 * nothing: onto itself, into its own subtree, or onto the folder it is already in.
 */
export function dropTarget(from: string, folder: string): string | null {
  if (folder === from || folder.startsWith(`${from}/`)) return null;
  if (parentOf(from) === folder) return null;
  return joinPath(folder, baseName(from));
}

/** The placeholder that keeps an empty folder (the store holds files only; git users know the name). */
export const FOLDER_KEEP = ".gitkeep";

/**
 * A name that is not valid UTF-8 comes from the server as its escaped path: each invalid byte as
 * `\xHH` (server/sandbox/byte-names.ts). A UTF-8 name never holds a backslash, so one is the sign.
 * The escaped text is what the tree shows (printable, never decoded) and the key to open or delete it.
 */
export const isEscapedName = (path: string) => path.includes("\\");

export const ESCAPED_NAME_HINT = "This name is not valid UTF-8: each byte that is not is shown as \\xHH";
