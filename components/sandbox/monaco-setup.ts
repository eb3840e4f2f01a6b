"use client";

import { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor";
import sandboxNodeImage from "@/sandbox-images/node/package.json";
import { compilerOptionsFrom, editorExtraLibs, typingSetsFor, type TypingSet } from "./editor-project-config";

// Monaco comes from the local package, bundled by Next (never a CDN: the IDE works offline, and
// the CSP allows scripts from this server only). @monaco-editor/react's loader would otherwise
// inject a <script> from jsDelivr: it is handed this instance before any <Editor> mounts.
// Monaco's workers are bundled too, through new URL(..., import.meta.url).
loader.config({ monaco });
globalThis.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    switch (label) {
      case "typescript":
      case "javascript":
        return new Worker(new URL("monaco-editor/language/typescript/ts.worker.js", import.meta.url), { type: "module" });
      case "json":
        return new Worker(new URL("monaco-editor/language/json/json.worker.js", import.meta.url), { type: "module" });
      case "css":
      case "scss":
      case "less":
        return new Worker(new URL("monaco-editor/language/css/css.worker.js", import.meta.url), { type: "module" });
      case "html":
      case "handlebars":
      case "razor":
        return new Worker(new URL("monaco-editor/language/html/html.worker.js", import.meta.url), { type: "module" });
      default:
        return new Worker(new URL("monaco-editor/editor/editor.worker.js", import.meta.url), { type: "module" });
    }
  },
};

/** Project files live under this URI root, so relative imports between their models resolve. */
export const WORKSPACE_ROOT = "/workspace/";

// What a program in the sandbox can import besides project files: the typings the sandbox's
// compiler sees (Node, React, Vue: the node image's versions, loaded from this server when the
// project needs them, see editor-project-config.ts) and the other packages preinstalled in the
// node image, typed `any` (their typings are not shipped to the browser). Anything else — a
// missing project file, a package the image lacks — stays an error.
const IMAGE_PACKAGES = Object.keys(sandboxNodeImage.dependencies);

const loadedTypings = new Map<TypingSet, Record<string, string>>();
const requestedTypings = new Set<TypingSet>();
let appliedOptions = "";
let configured = false;

/** One list for both languages (editor-project-config.ts). */
function applyExtraLibs() {
  const libs = editorExtraLibs(IMAGE_PACKAGES, loadedTypings);
  for (const defaults of [monaco.typescript.typescriptDefaults, monaco.typescript.javascriptDefaults]) defaults.setExtraLibs(libs);
}

async function loadTypings(set: TypingSet) {
  try {
    const response = await fetch(`/api/editor-types/${set}`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    loadedTypings.set(set, (await response.json()) as Record<string, string>);
    applyExtraLibs();
  } catch (e) {
    requestedTypings.delete(set);
    // The stand-ins stay: the packages are `any`, nothing breaks but IntelliSense. This runs in
    // the browser: its console is the user's devtools, not a server log.
    // eslint-disable-next-line no-console
    console.warn(`${set} typings for the editor could not be loaded`, e);
  }
}

function applyCompilerOptions(options: Record<string, unknown>) {
  const key = JSON.stringify(options);
  if (key === appliedOptions) return;
  appliedOptions = key;
  const base = { ...options, baseUrl: `file://${WORKSPACE_ROOT}` } as monaco.typescript.CompilerOptions;
  monaco.typescript.typescriptDefaults.setCompilerOptions(base);
  // JavaScript files are not type-checked (as tsc with checkJs off), only resolved.
  monaco.typescript.javascriptDefaults.setCompilerOptions({ ...base, allowJs: true, checkJs: false });
}

/** Once per page: TypeScript and JavaScript see every project model (eager sync) with one set of options. */
export function configureMonaco(): typeof monaco {
  if (configured) return monaco;
  configured = true;
  for (const defaults of [monaco.typescript.typescriptDefaults, monaco.typescript.javascriptDefaults]) {
    defaults.setEagerModelSync(true);
    // Only files shown in the editor are checked (a project may have hundreds of models).
    defaults.setDiagnosticsOptions({ ...defaults.getDiagnosticsOptions(), onlyVisible: true });
  }
  applyCompilerOptions(compilerOptionsFrom(undefined));
  applyExtraLibs();
  return monaco;
}

/**
 * Per project (and as its files change): the compiler options of its tsconfig.json, and the typings
 * its code imports, each set fetched once per page. Monaco re-checks open files when they change.
 */
export function configureForProject(sources: ReadonlyMap<string, string>): void {
  configureMonaco();
  applyCompilerOptions(compilerOptionsFrom(sources.get("tsconfig.json")));
  for (const set of typingSetsFor(sources)) {
    if (requestedTypings.has(set)) continue;
    requestedTypings.add(set);
    void loadTypings(set);
  }
}

export { monaco };
