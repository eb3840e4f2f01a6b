import { readFileSync } from "node:fs";
import { join } from "node:path";
import { proxyCreateProgram } from "@volar/typescript";
import { createParsedCommandLineByJson, createVueLanguagePlugin, type VueCompilerOptions } from "@vue/language-core";
import ts from "typescript";

// Type-checks a project's Vue single-file components the way `vue-tsc --noEmit` does in the
// sandbox: the same @vue/language-core turns each .vue file into TypeScript, the same
// @volar/typescript proxy around ts.createProgram maps every diagnostic back to the .vue text, and
// the same TypeScript version checks it. Only the file system differs: the project's files are
// strings under /workspace/, and node_modules holds the typings the editor serves (the node image's
// versions of @types/node and Vue, editor-typings.ts). Synchronous and CPU-bound: it runs in a
// worker thread (vue-check-worker.ts), never on the server's event loop.

export const WORKSPACE = "/workspace";
const LIB_DIR = "/typescript/lib";
const TYPES_ROOT = `${WORKSPACE}/node_modules/@vue/language-core/types`;
const SOURCE = /\.(vue|ts|tsx|mts|cts)$/;

export interface VueDiagnostic {
  /** 1-based, as Monaco's markers and tsc's output count. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: number;
  message: string;
  severity: "error" | "warning";
}

/** What does not change between checks: TypeScript's libs (read on demand) and the typings, path → text. */
export interface CheckerBase {
  /** "node_modules/<name>/<file>" → text, as editorTypings() serves them. */
  typings: Readonly<Record<string, string>>;
  /** Packages of the node image that have no typings here: `any`, as the editor types them. */
  untypedPackages: readonly string[];
}

const libTexts = new Map<string, string | undefined>();
/** TypeScript's own lib files, the one thing read from disk: a name from project code (a `/// <reference path>`) reads nothing else. */
const LIB_NAME = /^lib(\.[a-z0-9]+)*\.d\.ts$/;
function libText(name: string): string | undefined {
  if (!LIB_NAME.test(name)) return undefined;
  if (!libTexts.has(name)) {
    let text: string | undefined;
    try {
      text = readFileSync(join(process.cwd(), "node_modules/typescript/lib", name), "utf8");
    } catch {
      text = undefined;
    }
    libTexts.set(name, text);
  }
  return libTexts.get(name);
}

// Libraries and typings never change while the process runs: one parse each, shared by every
// project's program (as TypeScript's DocumentRegistry shares them between language services).
const sharedSourceFiles = new Map<string, ts.SourceFile>();

/** The typings of Vue's generated code (template helpers) that vue-tsc references from its own package. */
function vueTypesFiles(): Record<string, string> {
  const dir = join(process.cwd(), "node_modules/@vue/language-core/types");
  const out: Record<string, string> = {};
  for (const name of ["template-helpers.d.ts", "props-fallback.d.ts", "vue-3.4-shims.d.ts"]) {
    out[`${TYPES_ROOT}/${name}`] = readFileSync(join(dir, name), "utf8");
  }
  return out;
}

function parseTsconfig(text: string | undefined): unknown {
  if (text === undefined) return {};
  const parsed = ts.parseConfigFileTextToJson(`${WORKSPACE}/tsconfig.json`, text);
  // A tsconfig.json being edited may not parse: check with the defaults meanwhile.
  return parsed.error ? {} : (parsed.config as unknown);
}

/** One project's checker: keeps its last program so files that did not change are not parsed again. */
export class VueChecker {
  private readonly fixed = new Map<string, string>();
  private readonly directories = new Set<string>();
  private files: ReadonlyMap<string, string> = new Map();
  private readonly projectSourceFiles = new Map<string, { text: string; file: ts.SourceFile }>();
  private configKey: string | undefined;
  private options: ts.CompilerOptions = {};
  private vueOptions: VueCompilerOptions | undefined;
  private program: ts.Program | undefined;
  // One proxied createProgram per project: the proxy keeps the Vue language's state between programs.
  private readonly createProgram = proxyCreateProgram(ts, ts.createProgram, (tsx, { options }) => [
    createVueLanguagePlugin<string>(tsx, options, this.vueOptions as VueCompilerOptions, (id) => id),
  ]);

  constructor(base: CheckerBase) {
    for (const [path, text] of Object.entries(base.typings)) this.fixed.set(`${WORKSPACE}/${path}`, text);
    for (const [path, text] of Object.entries(vueTypesFiles())) this.fixed.set(path, text);
    const stubs = base.untypedPackages.flatMap((name) => [`declare module "${name}";`, `declare module "${name}/*";`]).join("\n");
    this.fixed.set(`${WORKSPACE}/node_modules/@pantheon/sandbox-packages.d.ts`, stubs);
    for (const path of this.fixed.keys()) {
      for (let dir = path.slice(0, path.lastIndexOf("/")); dir.length > 0; dir = dir.slice(0, dir.lastIndexOf("/"))) this.directories.add(dir);
    }
  }

  private read = (path: string): string | undefined => {
    if (path.startsWith(`${LIB_DIR}/`)) return libText(path.slice(LIB_DIR.length + 1));
    return this.fixed.get(path) ?? (path.startsWith(`${WORKSPACE}/`) ? this.files.get(path.slice(WORKSPACE.length + 1)) : undefined);
  };

  private configure(tsconfig: string | undefined) {
    const key = tsconfig ?? "";
    if (key === this.configKey) return;
    this.configKey = key;
    const host: ts.ParseConfigHost = {
      useCaseSensitiveFileNames: true,
      readDirectory: () => [],
      fileExists: (path) => this.read(path) !== undefined,
      readFile: this.read,
    };
    const parsed = createParsedCommandLineByJson(ts, host, WORKSPACE, parseTsconfig(tsconfig), `${WORKSPACE}/tsconfig.json`);
    // `types` names packages the editor does not serve (vite/client): Node's typings are what it
    // loads for every project, so they stand in, as in the IDE's .ts files.
    // allowNonTsExtensions lets .vue files be root files (vue-tsc patches tsc's extension list instead).
    this.options = { ...parsed.options, types: ["node"], noEmit: true, allowNonTsExtensions: true, configFilePath: `${WORKSPACE}/tsconfig.json` };
    this.vueOptions = { ...parsed.vueOptions, typesRoot: TYPES_ROOT };
  }

  private host(): ts.CompilerHost {
    return {
      getSourceFile: (fileName, languageVersion) => {
        const text = this.read(fileName);
        if (text === undefined) return undefined;
        const version = typeof languageVersion === "object" ? languageVersion.languageVersion : languageVersion;
        if (!fileName.startsWith(`${WORKSPACE}/`) || fileName.includes("/node_modules/")) {
          const key = `${version}:${fileName}`;
          let file = sharedSourceFiles.get(key);
          if (!file) sharedSourceFiles.set(key, (file = ts.createSourceFile(fileName, text, languageVersion)));
          return file;
        }
        const cached = this.projectSourceFiles.get(fileName);
        if (cached?.text === text) return cached.file;
        const file = ts.createSourceFile(fileName, text, languageVersion);
        this.projectSourceFiles.set(fileName, { text, file });
        return file;
      },
      getDefaultLibFileName: (options) => `${LIB_DIR}/${ts.getDefaultLibFileName(options)}`,
      getDefaultLibLocation: () => LIB_DIR,
      writeFile: () => undefined,
      getCurrentDirectory: () => WORKSPACE,
      getCanonicalFileName: (name) => name,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => "\n",
      fileExists: (path) => this.read(path) !== undefined,
      readFile: this.read,
      directoryExists: (dir) => this.directories.has(dir.replace(/\/$/, "")) || [...this.files.keys()].some((p) => `${WORKSPACE}/${p}`.startsWith(`${dir}/`)),
      getDirectories: () => [],
    };
  }

  /** The diagnostics of one project file, given all of the project's files (path → text). */
  check(files: ReadonlyMap<string, string>, path: string): VueDiagnostic[] {
    this.files = files;
    this.configure(files.get("tsconfig.json"));
    const rootNames = [...files.keys()].filter((p) => SOURCE.test(p) && !p.startsWith("node_modules/")).map((p) => `${WORKSPACE}/${p}`);
    rootNames.push(`${WORKSPACE}/node_modules/@pantheon/sandbox-packages.d.ts`);
    for (const name of this.projectSourceFiles.keys()) if (!files.has(name.slice(WORKSPACE.length + 1))) this.projectSourceFiles.delete(name);
    this.program = this.createProgram({ rootNames, options: this.options, host: this.host(), oldProgram: this.program });
    const file = this.program.getSourceFile(`${WORKSPACE}/${path}`);
    if (!file) return [];
    return [...this.program.getSyntacticDiagnostics(file), ...this.program.getSemanticDiagnostics(file)].flatMap((d) => toVueDiagnostic(d, file));
  }
}

function toVueDiagnostic(d: ts.Diagnostic, file: ts.SourceFile): VueDiagnostic[] {
  if (d.start === undefined || d.length === undefined) return [];
  if (d.category !== ts.DiagnosticCategory.Error && d.category !== ts.DiagnosticCategory.Warning) return [];
  // d.file is the .vue file with its own text once the proxy has mapped the diagnostic back.
  const source = d.file ?? file;
  const start = ts.getLineAndCharacterOfPosition(source, d.start);
  const end = ts.getLineAndCharacterOfPosition(source, d.start + d.length);
  return [
    {
      line: start.line + 1,
      column: start.character + 1,
      endLine: end.line + 1,
      endColumn: end.character + 1,
      code: d.code,
      message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
      severity: d.category === ts.DiagnosticCategory.Error ? "error" : "warning",
    },
  ];
}
