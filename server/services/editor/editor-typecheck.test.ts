import ts from "typescript";
import { describe, expect, it } from "vitest";
import { compilerOptionsFrom, editorExtraLibs, typingSetsFor, type TypingSet } from "@/components/sandbox/editor-project-config";
import sandboxNodeImage from "@/sandbox-images/node/package.json";
import { getTemplate } from "@/server/templates/templates";
import { editorTypings } from "./editor-typings";

// The IDE's editor checks code with TypeScript in a worker (Monaco, TypeScript 5.9): project files
// are models at file:///workspace/<path>, the typings are extra libraries, and a file exists when
// one of them has its text. This builds the same program with the same TypeScript version from the
// same pieces (served typings, options, shims), so a template's false error shows here first.

const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|json)$/;
const LIB_DIR = `${process.cwd()}/node_modules/typescript/lib/`;

async function editorDiagnostics(files: Record<string, string>): Promise<{ file: string; code: number; message: string }[]> {
  const sources = new Map(Object.entries(files).filter(([path]) => SOURCE.test(path)));
  const loaded = new Map<TypingSet, Record<string, string>>();
  for (const set of typingSetsFor(sources)) loaded.set(set, await editorTypings(set));
  const texts = new Map<string, string>([...sources].map(([path, text]) => [`file:///workspace/${path}`, text]));
  for (const lib of editorExtraLibs(Object.keys(sandboxNodeImage.dependencies), loaded)) texts.set(lib.filePath, lib.content);
  const options = { ...compilerOptionsFrom(sources.get("tsconfig.json")), baseUrl: "file:///workspace/" } as ts.CompilerOptions;
  // Monaco's worker maps "es2022" to its bundled lib.es2022.d.ts.
  options.lib = options.lib?.map((name) => `lib.${name}.d.ts`);
  const text = (file: string) => texts.get(file) ?? (file.startsWith("lib.") ? ts.sys.readFile(LIB_DIR + file) : undefined);
  const service = ts.createLanguageService({
    getScriptFileNames: () => [...texts.keys()],
    getScriptVersion: () => "1",
    getScriptSnapshot: (file) => {
      const t = text(file);
      return t === undefined ? undefined : ts.ScriptSnapshot.fromString(t);
    },
    getCurrentDirectory: () => "",
    getCompilationSettings: () => options,
    getDefaultLibFileName: () => "lib.d.ts",
    fileExists: (file) => text(file) !== undefined,
    readFile: text,
  });
  return [...sources.keys()]
    .filter((path) => /\.tsx?$/.test(path))
    .flatMap((path) => {
      const file = `file:///workspace/${path}`;
      return [...service.getSyntacticDiagnostics(file), ...service.getSemanticDiagnostics(file)].map((d) => ({
        file: path,
        code: d.code,
        message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
      }));
    });
}

describe("the editor type-checks as the sandbox's compiler does", () => {
  it.each(["react-app", "vue-app", "node-api"])(
    "an untouched %s template has no errors",
    async (id) => {
      expect(await editorDiagnostics(getTemplate(id).files)).toEqual([]);
    },
    60_000,
  );

  it("a real type error has tsc's code and message (React, Vue)", async () => {
    const react = getTemplate("react-app").files;
    expect(await editorDiagnostics({ ...react, "src/App.tsx": `${react["src/App.tsx"]}\nexport const port: number = "3000";\n` })).toEqual([
      { file: "src/App.tsx", code: 2322, message: "Type 'string' is not assignable to type 'number'." },
    ]);
    const vue = getTemplate("vue-app").files;
    expect(await editorDiagnostics({ ...vue, "src/main.ts": `${vue["src/main.ts"]}createApp(App).mount(42);\n` })).toEqual([
      { file: "src/main.ts", code: 2345, message: "Argument of type 'number' is not assignable to parameter of type 'string | Element'." },
    ]);
  }, 120_000);
});
