"use client";

import Editor, { loader, type OnMount } from "@monaco-editor/react";
import * as monaco from "monaco-editor";
import { useEffect, useRef } from "react";

// Monaco comes from the local package, bundled by Next: @monaco-editor/react would otherwise fetch
// it from a CDN, and the editor never appears offline. Workers are bundled too (new URL + import.meta.url).
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
loader.config({ monaco });

export type MonacoEditorProps = { path: string; value: string; readOnly: boolean; onChange: (value: string) => void; onSave: () => void };

export default function MonacoEditor({ path, value, readOnly, onChange, onSave }: MonacoEditorProps) {
  // The Ctrl/Cmd+S command is registered once; it must call the latest onSave.
  const onSaveRef = useRef(onSave);
  useEffect(() => {
    onSaveRef.current = onSave;
  }, [onSave]);

  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const valueRef = useRef(value);
  useEffect(() => {
    valueRef.current = value;
  }, [value]);
  // Uncontrolled while typing (a controlled `value` races fast keystrokes and drops characters); a
  // model left from an earlier opening of the same path is brought back to the loaded content.
  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (model && model.getValue() !== valueRef.current) model.setValue(valueRef.current);
  }, [path]);

  const onMount: OnMount = (editor) => {
    editorRef.current = editor;
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => onSaveRef.current());
    const model = editor.getModel();
    if (model && model.getValue() !== valueRef.current) model.setValue(valueRef.current);
    editor.focus();
  };

  return (
    <Editor
      path={path}
      defaultValue={value}
      theme="vs-dark"
      onChange={(v) => onChange(v ?? "")}
      onMount={onMount}
      loading={<p className="muted pad">Loading editor…</p>}
      options={{ readOnly, minimap: { enabled: false }, fontSize: 13, automaticLayout: true, scrollBeyondLastLine: false, tabSize: 2 }}
    />
  );
}
