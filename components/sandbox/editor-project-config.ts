// What the editor's TypeScript needs to agree with the compiler in the sandbox: the project's own
// tsconfig.json options, and which typings (Node, React, Vue) its code imports. Pure: no Monaco.

export type TypingSet = "node" | "react" | "vue";

// TypeScript's enum values (Monaco's typings list only a few of them; its worker takes any).
const TARGETS: Record<string, number> = {
  es5: 1,
  es2015: 2,
  es6: 2,
  es2016: 3,
  es2017: 4,
  es2018: 5,
  es2019: 6,
  es2020: 7,
  es2021: 8,
  es2022: 9,
  es2023: 10,
  es2024: 11,
  esnext: 99,
};
const MODULES: Record<string, number> = {
  commonjs: 1,
  es2015: 5,
  es6: 5,
  es2020: 6,
  es2022: 7,
  esnext: 99,
  node16: 100,
  node18: 101,
  nodenext: 199,
  preserve: 200,
};
const RESOLUTION: Record<string, number> = { classic: 1, node: 2, node10: 2, node16: 3, nodenext: 99, bundler: 100 };
const JSX: Record<string, number> = { preserve: 1, react: 2, "react-native": 3, "react-jsx": 4, "react-jsxdev": 5 };
/** Boolean options copied as they are: the ones that change which errors a file has. */
const FLAGS = [
  "strict",
  "noImplicitAny",
  "strictNullChecks",
  "strictFunctionTypes",
  "strictBindCallApply",
  "strictPropertyInitialization",
  "noImplicitThis",
  "useUnknownInCatchVariables",
  "alwaysStrict",
  "noUncheckedIndexedAccess",
  "exactOptionalPropertyTypes",
  "noImplicitReturns",
  "noFallthroughCasesInSwitch",
  "noImplicitOverride",
  "noPropertyAccessFromIndexSignature",
  "noUnusedLocals",
  "noUnusedParameters",
  "isolatedModules",
  "verbatimModuleSyntax",
  "esModuleInterop",
  "allowSyntheticDefaultImports",
  "resolveJsonModule",
  "allowImportingTsExtensions",
  "experimentalDecorators",
  "useDefineForClassFields",
  "allowJs",
  "checkJs",
] as const;

/** The options an untouched project gets without a tsconfig.json: what `tsc` defaults to, and what the templates use. */
export const DEFAULT_OPTIONS: Record<string, unknown> = {
  target: TARGETS.es2022,
  module: MODULES.esnext,
  moduleResolution: RESOLUTION.bundler,
  jsx: JSX["react-jsx"],
  strict: true,
  esModuleInterop: true,
  allowSyntheticDefaultImports: true,
  resolveJsonModule: true,
  allowJs: true,
  checkJs: false,
  lib: ["es2022", "dom", "dom.iterable"],
};

/** tsconfig.json is JSONC: comments and trailing commas are allowed. */
function parseJsonc(text: string): unknown {
  const withoutComments = text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_, str: string | undefined) => str ?? "");
  return JSON.parse(withoutComments.replace(/,(\s*[}\]])/g, "$1"));
}

/**
 * Compiler options for the editor from the project's tsconfig.json text (or the defaults when it
 * has none or it does not parse). `types` is left out: every served typing is loaded anyway, and
 * a name the editor lacks (vite/client) would only add a false error.
 */
export function compilerOptionsFrom(tsconfig: string | undefined): Record<string, unknown> {
  const options: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  let raw: Record<string, unknown> = {};
  try {
    const parsed = tsconfig === undefined ? {} : parseJsonc(tsconfig);
    const inner = parsed && typeof parsed === "object" ? (parsed as { compilerOptions?: unknown }).compilerOptions : undefined;
    if (inner && typeof inner === "object") raw = inner as Record<string, unknown>;
  } catch {
    // A tsconfig.json being edited may not parse: keep the defaults meanwhile.
  }
  const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : "");
  if (TARGETS[lower(raw.target)] !== undefined) options.target = TARGETS[lower(raw.target)];
  if (MODULES[lower(raw.module)] !== undefined) options.module = MODULES[lower(raw.module)];
  if (RESOLUTION[lower(raw.moduleResolution)] !== undefined) options.moduleResolution = RESOLUTION[lower(raw.moduleResolution)];
  if (JSX[lower(raw.jsx)] !== undefined) options.jsx = JSX[lower(raw.jsx)];
  if (typeof raw.jsxImportSource === "string") options.jsxImportSource = raw.jsxImportSource;
  if (Array.isArray(raw.lib)) options.lib = raw.lib.filter((l): l is string => typeof l === "string").map((l) => l.toLowerCase());
  for (const flag of FLAGS) if (typeof raw[flag] === "boolean") options[flag] = raw[flag];
  // What the editor itself needs: files without a TS extension (models), no output, one file system root.
  return { ...options, allowNonTsExtensions: true, noEmit: true, skipLibCheck: true };
}

const REACT_IMPORT = /\bfrom\s*["']react(-dom)?(\/[^"']*)?["']|\bimport\s*["']react/;
const VUE_IMPORT = /\bfrom\s*["']vue(\/[^"']*)?["']|\.vue["']/;

/** Which typings a project's sources need: Node always (the sandbox runs Node), React and Vue when imported. */
export function typingSetsFor(sources: ReadonlyMap<string, string>): Set<TypingSet> {
  const sets = new Set<TypingSet>(["node"]);
  for (const [path, text] of sources) {
    if (/\.(tsx|jsx)$/.test(path) || REACT_IMPORT.test(text)) sets.add("react");
    if (VUE_IMPORT.test(text)) sets.add("vue");
  }
  return sets;
}

/** Lets `import App from "./App.vue"` type-check as vue-tsc sees it: a component. */
export const VUE_SHIM = `declare module "*.vue" {
  import type { DefineComponent } from "vue";
  const component: DefineComponent<{}, {}, any>;
  export default component;
}
`;

/** Packages typed by a loaded set: an ambient `declare module` would win over their real typings. */
const TYPED_BY: Record<string, TypingSet> = { react: "react", "react-dom": "react", vue: "vue" };
/** Until Node's typings arrive: no false errors on `process`, `Buffer` or `node:` imports meanwhile. */
const NODE_FALLBACK_LIB = ['declare module "node:*";', "declare var process: any;", "declare var Buffer: any;", "declare var require: any;"].join("\n");

export type ExtraLib = { content: string; filePath: string };

/**
 * The editor's extra libraries: the packages preinstalled in the sandbox image without typings
 * here, typed `any`; the Vue shim; and every typing set loaded so far (path → text, as
 * /api/editor-types/<set> serves them), under file:///node_modules/ where imports resolve.
 */
export function editorExtraLibs(imagePackages: readonly string[], loaded: ReadonlyMap<TypingSet, Record<string, string>>): ExtraLib[] {
  const untyped = imagePackages.filter((name) => !name.startsWith("@types/") && !(TYPED_BY[name] && loaded.has(TYPED_BY[name])));
  return [
    {
      content: untyped.flatMap((name) => [`declare module "${name}";`, `declare module "${name}/*";`]).join("\n"),
      filePath: "file:///pantheon/sandbox-packages.d.ts",
    },
    { content: VUE_SHIM, filePath: "file:///pantheon/vue-shim.d.ts" },
    ...(loaded.has("node") ? [] : [{ content: NODE_FALLBACK_LIB, filePath: "file:///pantheon/node-fallback.d.ts" }]),
    ...[...loaded.values()].flatMap((files) => Object.entries(files).map(([path, content]) => ({ content, filePath: `file:///${path}` }))),
  ];
}
