"use client";

import { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor";
import sandboxNodeImage from "@/sandbox-images/node/package.json";

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

// What a program in the sandbox can import besides project files: Node (real typings, loaded from
// this server after the editor is up) and the packages preinstalled in the node image, typed `any`
// (their typings are not shipped to the browser). Anything else — a missing project file, a package
// the image lacks — stays an error.
const IMAGE_PACKAGES = Object.keys(sandboxNodeImage.dependencies).filter((name) => !name.startsWith("@types/"));
const PACKAGES_LIB = IMAGE_PACKAGES.flatMap((name) => [`declare module "${name}";`, `declare module "${name}/*";`]).join("\n");
/** Until Node's typings arrive: no false errors on `process`, `Buffer` or `node:` imports meanwhile. */
const NODE_FALLBACK_LIB = ['declare module "node:*";', "declare var process: any;", "declare var Buffer: any;", "declare var require: any;"].join("\n");

const compilerOptions: monaco.typescript.CompilerOptions = {
  target: monaco.typescript.ScriptTarget.ESNext,
  module: monaco.typescript.ModuleKind.ESNext,
  moduleResolution: monaco.typescript.ModuleResolutionKind.NodeJs,
  jsx: monaco.typescript.JsxEmit.ReactJSX,
  allowJs: true,
  checkJs: false,
  strict: true,
  esModuleInterop: true,
  allowSyntheticDefaultImports: true,
  resolveJsonModule: true,
  allowNonTsExtensions: true,
  noEmit: true,
  baseUrl: `file://${WORKSPACE_ROOT}`,
  lib: ["esnext", "dom"],
};

let configured = false;

function setExtraLibs(libs: { content: string; filePath: string }[]) {
  for (const defaults of [monaco.typescript.typescriptDefaults, monaco.typescript.javascriptDefaults]) defaults.setExtraLibs(libs);
}

async function loadNodeTypings() {
  try {
    const response = await fetch("/api/editor-types/node");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const files = (await response.json()) as Record<string, string>;
    const typings = Object.entries(files).map(([path, content]) => ({ content, filePath: `file:///${path}` }));
    setExtraLibs([{ content: PACKAGES_LIB, filePath: "file:///pantheon/sandbox-packages.d.ts" }, ...typings]);
  } catch (e) {
    // The fallback stays: Node names are `any`, nothing breaks but Node IntelliSense. This runs in
    // the browser: its console is the user's devtools, not a server log.
    // eslint-disable-next-line no-console
    console.warn("Node typings for the editor could not be loaded", e);
  }
}

/** Once per page: TypeScript and JavaScript see every project model (eager sync) with one set of options. */
export function configureMonaco(): typeof monaco {
  if (configured) return monaco;
  configured = true;
  for (const defaults of [monaco.typescript.typescriptDefaults, monaco.typescript.javascriptDefaults]) {
    defaults.setCompilerOptions(compilerOptions);
    defaults.setEagerModelSync(true);
    // Only files shown in the editor are checked (a project may have hundreds of models).
    defaults.setDiagnosticsOptions({ ...defaults.getDiagnosticsOptions(), onlyVisible: true });
  }
  setExtraLibs([
    { content: PACKAGES_LIB, filePath: "file:///pantheon/sandbox-packages.d.ts" },
    { content: NODE_FALLBACK_LIB, filePath: "file:///pantheon/node-fallback.d.ts" },
  ]);
  void loadNodeTypings();
  return monaco;
}

export { monaco };
