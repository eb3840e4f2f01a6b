"use client";

import { WORKSPACE_ROOT, monaco } from "./monaco-setup";

/**
 * The model URI of a project file: file:///workspace/<path>. Uri.from, not Uri.file: on a Windows
 * browser Uri.file turns `\` into `/`, and an escaped name (`\xff.bin`) would name another file.
 */
export const modelUri = (path: string) => monaco.Uri.from({ scheme: "file", path: `${WORKSPACE_ROOT}${path}` });

const inWorkspace = (model: monaco.editor.ITextModel) => model.uri.scheme === "file" && model.uri.path.startsWith(WORKSPACE_ROOT);
const pathOf = (model: monaco.editor.ITextModel) => model.uri.path.slice(WORKSPACE_ROOT.length);

/** The project path of a workspace model; null for any other model (or none). */
export const workspacePath = (model: monaco.editor.ITextModel | null) => (model && inWorkspace(model) ? pathOf(model) : null);

/** The model of a project file, created with `content` if it does not exist yet. */
export function modelFor(path: string, content: string): monaco.editor.ITextModel {
  const uri = modelUri(path);
  return monaco.editor.getModel(uri) ?? monaco.editor.createModel(content, undefined, uri);
}

/** Replaces a model's text as one undoable edit (setValue would drop the undo history). */
export function replaceText(model: monaco.editor.ITextModel, content: string) {
  if (model.getValue() === content) return;
  model.pushEditOperations([], [{ range: model.getFullModelRange(), text: content }], () => null);
}

/**
 * Brings the project's models in line with the server's source files, so the TypeScript worker
 * (eager model sync) resolves imports between them. Files open in a tab are left alone: their
 * model is the editor's buffer. Models of files that no longer exist are disposed. True when any
 * model changed (files that import them may need checking again).
 */
export function syncWorkspaceModels(files: ReadonlyMap<string, string>, open: ReadonlySet<string>): boolean {
  let changed = false;
  for (const model of monaco.editor.getModels()) {
    if (!inWorkspace(model)) continue;
    const path = pathOf(model);
    if (!files.has(path) && !open.has(path)) {
      model.dispose();
      changed = true;
    }
  }
  for (const [path, content] of files) {
    if (open.has(path)) continue;
    const model = monaco.editor.getModel(modelUri(path));
    if (model && model.getValue() === content) continue;
    if (!model) monaco.editor.createModel(content, undefined, modelUri(path));
    else model.setValue(content);
    changed = true;
  }
  return changed;
}

/** Leaving the IDE: another project's files must not resolve in the next one. */
export function disposeWorkspaceModels() {
  for (const model of monaco.editor.getModels()) if (inWorkspace(model)) model.dispose();
}

type TsDiagnostic = monaco.typescript.Diagnostic;
type MessageChain = { messageText: string; next?: MessageChain[] };

function flatten(text: string | MessageChain, indent = 0): string {
  if (typeof text === "string") return text;
  return [`${"  ".repeat(indent)}${text.messageText}`, ...(text.next ?? []).map((n) => flatten(n, indent + 1))].join("\n");
}

/**
 * Re-checks a TypeScript/JavaScript model now. Monaco re-checks a file when it changes, not when a
 * file it imports changes; after another project file changed, the open one is checked again here.
 * Markers use the language id as owner, as Monaco's own checker does, so the two replace each other.
 */
export async function revalidate(model: monaco.editor.ITextModel): Promise<void> {
  const language = model.getLanguageId();
  if (language !== "typescript" && language !== "javascript") return;
  const defaults = language === "typescript" ? monaco.typescript.typescriptDefaults : monaco.typescript.javascriptDefaults;
  const getWorker = language === "typescript" ? monaco.typescript.getTypeScriptWorker : monaco.typescript.getJavaScriptWorker;
  const worker = await (await getWorker())(model.uri);
  if (model.isDisposed()) return;
  const options = defaults.getDiagnosticsOptions();
  const file = model.uri.toString();
  const found = await Promise.all([
    options.noSyntaxValidation ? [] : worker.getSyntacticDiagnostics(file),
    options.noSemanticValidation ? [] : worker.getSemanticDiagnostics(file),
    options.noSuggestionDiagnostics ? [] : worker.getSuggestionDiagnostics(file),
  ]);
  if (model.isDisposed()) return;
  const ignored = new Set(options.diagnosticCodesToIgnore ?? []);
  const severity = (d: TsDiagnostic) =>
    d.category === 1
      ? monaco.MarkerSeverity.Error
      : d.category === 0
        ? monaco.MarkerSeverity.Warning
        : d.category === 2
          ? monaco.MarkerSeverity.Hint
          : monaco.MarkerSeverity.Info;
  const markers = found
    .flat()
    .filter((d) => !ignored.has(d.code))
    .map((d): monaco.editor.IMarkerData => {
      const start = model.getPositionAt(d.start ?? 0);
      const end = model.getPositionAt((d.start ?? 0) + (d.length ?? 1));
      const tags = [...(d.reportsUnnecessary ? [monaco.MarkerTag.Unnecessary] : []), ...(d.reportsDeprecated ? [monaco.MarkerTag.Deprecated] : [])];
      return {
        severity: severity(d),
        startLineNumber: start.lineNumber,
        startColumn: start.column,
        endLineNumber: end.lineNumber,
        endColumn: end.column,
        message: flatten(d.messageText),
        code: String(d.code),
        tags,
      };
    });
  monaco.editor.setModelMarkers(model, language, markers);
}
