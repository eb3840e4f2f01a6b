import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";

// Type definitions the IDE's editor loads so code type-checks in the browser as it does in the
// sandbox (tsc, vue-tsc): the versions the node image has (sandbox-images/node/package.json),
// installed in this app's node_modules (under aliases where the app's own differ), and served
// under the names a project imports them by. Nothing comes from a CDN: the network may be closed.

export const TYPING_SETS = ["node", "react", "vue"] as const;
export type TypingSet = (typeof TYPING_SETS)[number];

interface ServedPackage {
  /** The name code imports it by (the folder under node_modules/ in the editor's file system). */
  name: string;
  /** Where it is installed in this app's node_modules. */
  installed: string;
  /** Files (relative to the package) left out: global declarations that would clash, or parts the sandbox code never reaches. */
  skip?: RegExp;
}

const VUE_PACKAGES = ["shared", "reactivity", "runtime-core", "runtime-dom", "server-renderer"].map((n) => ({ name: `@vue/${n}`, installed: `@vue/${n}` }));

const SETS: Record<TypingSet, ServedPackage[]> = {
  node: [
    { name: "@types/node", installed: "sandbox-types-node" },
    { name: "undici-types", installed: "undici-types" },
  ],
  react: [
    { name: "@types/react", installed: "sandbox-types-react" },
    { name: "@types/react-dom", installed: "sandbox-types-react-dom" },
    { name: "csstype", installed: "csstype" },
  ],
  vue: [
    // jsx.d.ts registers a global JSX namespace (for Vue with JSX, not SFCs); the compiler is not imported by apps.
    { name: "vue", installed: "vue", skip: /^(jsx\.d\.ts|jsx-runtime\/|jsx-dev-runtime\/|compiler-sfc\/)/ },
    ...VUE_PACKAGES,
    { name: "csstype", installed: "csstype" },
  ],
};

/** Folders like ts5.6/ hold typings for older TypeScript versions (typesVersions); the editor runs 5.9. */
const OLD_TS_FOLDER = /(^|\/)ts\d/;
const DECLARATION = /\.d\.(ts|mts|cts)$/;

async function declarationFiles(dir: string, skip: RegExp | undefined): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && DECLARATION.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((file) => {
      const rel = relative(dir, file).split("\\").join("/");
      return !rel.startsWith("node_modules/") && !OLD_TS_FOLDER.test(rel) && !skip?.test(rel);
    });
}

const cached = new Map<TypingSet, Promise<Record<string, string>>>();

/** { "node_modules/<name>/<file>.d.ts": "...", ... } plus each package.json (for "types" and "exports"), read once per process. */
export function editorTypings(set: TypingSet, root = process.cwd()): Promise<Record<string, string>> {
  let files = cached.get(set);
  if (!files) {
    files = (async () => {
      const out: Record<string, string> = {};
      for (const pkg of SETS[set]) {
        const dir = join(root, "node_modules", pkg.installed);
        out[`node_modules/${pkg.name}/package.json`] = await readFile(join(dir, "package.json"), "utf8");
        for (const file of await declarationFiles(dir, pkg.skip)) {
          out[`node_modules/${pkg.name}/${relative(dir, file).split("\\").join("/")}`] = await readFile(file, "utf8");
        }
      }
      return out;
    })().catch((e: unknown) => {
      cached.delete(set);
      throw e;
    });
    cached.set(set, files);
  }
  return files;
}

/** The installed version of each package a set serves, to compare with the sandbox image's. */
export async function servedVersions(set: TypingSet, root = process.cwd()): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const pkg of SETS[set]) {
    const json = JSON.parse(await readFile(join(root, "node_modules", pkg.installed, "package.json"), "utf8")) as { version: string };
    versions[pkg.name] = json.version;
  }
  return versions;
}
