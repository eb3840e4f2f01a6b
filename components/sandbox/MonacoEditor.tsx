"use client";

import { EmacsExtension } from "monaco-emacs";
import { initVimMode } from "monaco-vim";
import { useEffect, useRef } from "react";
import type { EditorKeymap } from "./types";
import { configureMonaco, monaco } from "./monaco-setup";
import { disposeWorkspaceModels, modelFor, replaceText, revalidate, syncWorkspaceModels } from "./monaco-workspace";

export type MonacoEditorProps = {
  path: string;
  /** The buffer's content; applied to the model when the path or the revision changes, never while typing. */
  value: string;
  revision: number;
  readOnly: boolean;
  keymap: EditorKeymap;
  /** The project's source files as the server has them, for IntelliSense across files. */
  sources: ReadonlyMap<string, string>;
  /** Paths open in tabs: their models are the buffers and are not overwritten from `sources`. */
  openPaths: ReadonlySet<string>;
  onChange: (path: string, value: string) => void;
  /** Ctrl/Cmd+S in the editor, with the model's text at that moment. */
  onSave: (path: string, content: string) => void;
};

/** Configures Monaco ahead of the first editor (its TypeScript worker starts with the first model). */
export function preloadMonaco(): void {
  configureMonaco();
}

/**
 * Monaco on the project's workspace models (file:///workspace/<path>): one editor instance whose
 * model follows the active tab, so undo history and view state survive switching tabs.
 */
export default function MonacoEditor(props: MonacoEditorProps) {
  const { path, revision, readOnly, keymap, sources, openPaths } = props;
  const host = useRef<HTMLDivElement>(null);
  const statusBar = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });
  const applying = useRef(false);
  const shownPath = useRef<string | null>(null);
  const viewStates = useRef(new Map<string, monaco.editor.ICodeEditorViewState | null>());

  useEffect(() => {
    if (!host.current) return;
    configureMonaco();
    const editor = monaco.editor.create(host.current, {
      model: null,
      theme: "vs-dark",
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      tabSize: 2,
      scrollBeyondLastLine: false,
      fixedOverflowWidgets: true,
    });
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => {
      const model = editor.getModel();
      if (model && shownPath.current) latest.current.onSave(shownPath.current, model.getValue());
    });
    const typing = editor.onDidChangeModelContent(() => {
      const model = editor.getModel();
      if (!applying.current && model && shownPath.current) latest.current.onChange(shownPath.current, model.getValue());
    });
    editorRef.current = editor;
    return () => {
      typing.dispose();
      editor.dispose();
      editorRef.current = null;
      shownPath.current = null;
      disposeWorkspaceModels();
    };
  }, []);

  // The active tab's model; a reload (new revision) replaces its text as one undoable edit.
  useEffect(() => {
    const editor = editorRef.current;
    if (!editor) return;
    const model = modelFor(path, latest.current.value);
    applying.current = true;
    replaceText(model, latest.current.value);
    applying.current = false;
    if (editor.getModel() === model) return;
    if (shownPath.current) viewStates.current.set(shownPath.current, editor.saveViewState());
    editor.setModel(model);
    shownPath.current = path;
    const viewState = viewStates.current.get(path);
    if (viewState) editor.restoreViewState(viewState);
    editor.focus();
  }, [path, revision]);

  useEffect(() => {
    editorRef.current?.updateOptions({ readOnly });
  }, [readOnly]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (syncWorkspaceModels(sources, openPaths) && model) void revalidate(model);
  }, [sources, openPaths]);

  useEffect(() => {
    const editor = editorRef.current;
    if (!editor || keymap === "default") return;
    if (keymap === "vim") {
      const vim = initVimMode(editor, statusBar.current);
      return () => vim.dispose();
    }
    const emacs = new EmacsExtension(editor);
    emacs.start();
    return () => emacs.dispose();
  }, [keymap]);

  return (
    <div className="monaco-wrap" data-keymap={keymap}>
      <div ref={host} className="monaco-host" data-testid="monaco-host" />
      <div ref={statusBar} className={`keymap-status mono${keymap === "vim" ? "" : " hidden"}`} data-testid="vim-status" />
    </div>
  );
}
