import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";

// Type definitions the IDE's editor loads so Node code type-checks in the browser as it does in
// the sandbox: @types/node and undici-types (which it imports), from this app's own node_modules.
const PACKAGES = ["@types/node", "undici-types"] as const;

/** Folders like ts5.6/ hold typings for older TypeScript versions (typesVersions); the editor runs 5.9. */
const OLD_TS_FOLDER = /(^|\/)ts\d/;

async function declarationFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".d.ts") && !OLD_TS_FOLDER.test(relative(dir, e.parentPath).split("\\").join("/")))
    .map((e) => join(e.parentPath, e.name));
}

let cached: Promise<Record<string, string>> | null = null;

/** { "node_modules/@types/node/fs.d.ts": "...", ... } plus each package.json (for "types"), read once per process. */
export function nodeTypings(root = process.cwd()): Promise<Record<string, string>> {
  cached ??= (async () => {
    const files: Record<string, string> = {};
    for (const pkg of PACKAGES) {
      const dir = join(root, "node_modules", pkg);
      for (const file of [join(dir, "package.json"), ...(await declarationFiles(dir))]) {
        files[relative(root, file).split("\\").join("/")] = await readFile(file, "utf8");
      }
    }
    return files;
  })().catch((e: unknown) => {
    cached = null;
    throw e;
  });
  return cached;
}
