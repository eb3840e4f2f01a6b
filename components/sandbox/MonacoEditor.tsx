"use client";

import Editor from "@monaco-editor/react";
import { EmacsExtension } from "monaco-emacs";
import { initVimMode } from "monaco-vim";
import { useEffect, useMemo, useRef, useState } from "react";
import type { EditorKeymap } from "./types";
import { configureForProject, configureMonaco, monaco } from "./monaco-setup";
import { useVueDiagnostics } from "./use-vue-diagnostics";
import { disposeWorkspaceModels, modelFor, modelUri, replaceText, revalidate, syncWorkspaceModels, workspacePath } from "./monaco-workspace";

export type MonacoEditorProps = {
  projectId: number;
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
  /** Changes when the user asks for a file (even the one shown): the editor takes the focus. */
  focusRequest: number;
  onChange: (path: string, value: string) => void;
  /** Ctrl/Cmd+S in the editor, with the model's text at that moment. */
  onSave: (path: string, content: string) => void;
  /** A position to show (a `file:line` link was followed): applied once the file is the one shown. */
  reveal?: EditorReveal | null;
};

/** Where to put the cursor; `request` changes with every ask, so the same line can be asked again. */
export type EditorReveal = { path: string; line: number; column: number | null; request: number };

/** Configures Monaco ahead of the first editor (its TypeScript worker starts with the first model). */
export function preloadMonaco(): void {
  configureMonaco();
}

/**
 * @monaco-editor/react's <Editor> on the project's workspace models (file:///workspace/<path>):
 * one editor instance whose model follows the active tab (`path`), so undo history and view state
 * survive switching tabs. The text is not a controlled `value`: the model is the buffer while
 * typing, and the buffer's text is pushed into it only on a reload (a new `revision`).
 */
export default function MonacoEditor(props: MonacoEditorProps) {
  const { projectId, path, revision, readOnly, keymap, sources, openPaths, focusRequest, reveal } = props;
  const statusBar = useRef<HTMLDivElement>(null);
  const [editor, setEditor] = useState<monaco.editor.IStandaloneCodeEditor | null>(null);
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });
  const applying = useRef(false);

  // The models outlive tab switches; leaving the IDE drops them, so another project's files never
  // resolve in the next one (<Editor keepCurrentModel> leaves this to us).
  useEffect(() => () => disposeWorkspaceModels(), []);

  // A reload (new revision) replaces the model's text as one undoable edit. The model usually
  // exists already (<Editor> creates it from `defaultValue` when the path changes).
  useEffect(() => {
    configureMonaco();
    const model = modelFor(path, latest.current.value);
    applying.current = true;
    replaceText(model, latest.current.value);
    applying.current = false;
  }, [path, revision]);

  // A file the user opens, or a tab they switch to, gets the keyboard. The editor appearing by itself
  // (restored tabs, the entry point) leaves the focus where the user put it meanwhile (the terminal).
  const focusedFor = useRef<{ path: string; request: number } | null>(null);
  useEffect(() => {
    if (!editor) return;
    const last = focusedFor.current;
    focusedFor.current = { path, request: focusRequest };
    if (last ? last.path !== path || last.request !== focusRequest : focusRequest > 0) editor.focus();
  }, [editor, path, focusRequest]);

  // A followed link puts the cursor on its line, centred, once the editor shows that file's model
  // (<Editor> swaps models in its own effect; a frame later at the latest).
  // Each request is applied once: coming back to the tab later keeps wherever the user moved since.
  const revealed = useRef(0);
  useEffect(() => {
    if (!editor || !reveal || reveal.path !== path || revealed.current === reveal.request) return;
    let frame = 0;
    let tries = 0;
    const apply = () => {
      const model = editor.getModel();
      if (workspacePath(model) !== reveal.path || !model) {
        if (tries++ < 10) frame = requestAnimationFrame(apply);
        return;
      }
      const line = Math.min(Math.max(1, reveal.line), model.getLineCount());
      const column = Math.min(Math.max(1, reveal.column ?? (model.getLineFirstNonWhitespaceColumn(line) || 1)), model.getLineMaxColumn(line));
      revealed.current = reveal.request;
      editor.setPosition({ lineNumber: line, column });
      editor.revealLineInCenter(line);
      editor.focus();
    };
    apply();
    return () => cancelAnimationFrame(frame);
  }, [editor, path, reveal]);

  useEffect(() => {
    // The project's tsconfig.json options and the typings its code imports (React, Vue, Node).
    configureForProject(sources);
    const model = editor?.getModel();
    if (syncWorkspaceModels(sources, openPaths) && model) void revalidate(model);
  }, [editor, sources, openPaths]);

  // Vue single-file components: vue-tsc's diagnostics, checked on the server (use-vue-diagnostics.ts).
  useVueDiagnostics(editor, projectId, sources);

  useEffect(() => {
    if (!editor || keymap === "default") return;
    if (keymap === "vim") {
      const vim = initVimMode(editor, statusBar.current);
      return () => vim.dispose();
    }
    const emacs = new EmacsExtension(editor);
    emacs.start();
    return () => emacs.dispose();
  }, [editor, keymap]);

  const options = useMemo(
    (): monaco.editor.IStandaloneEditorConstructionOptions => ({
      readOnly,
      minimap: { enabled: false },
      fontSize: 13,
      tabSize: 2,
      scrollBeyondLastLine: false,
      fixedOverflowWidgets: true,
    }),
    [readOnly],
  );

  const onMount = (mounted: monaco.editor.IStandaloneCodeEditor) => {
    // The path is the model's: a keystroke belongs to the file it was typed in, whatever renders next.
    mounted.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => {
      const model = mounted.getModel();
      const shown = workspacePath(model);
      if (model && shown) latest.current.onSave(shown, model.getValue());
    });
    mounted.onDidChangeModelContent(() => {
      const model = mounted.getModel();
      const shown = workspacePath(model);
      if (!applying.current && model && shown) latest.current.onChange(shown, model.getValue());
    });
    setEditor(mounted);
  };

  return (
    <div className="monaco-wrap" data-keymap={keymap}>
      <Editor
        path={modelUri(path).toString()}
        defaultValue={props.value}
        theme="vs-dark"
        options={options}
        keepCurrentModel
        loading={<p className="muted pad">Loading editor…</p>}
        beforeMount={() => configureMonaco()}
        onMount={onMount}
        wrapperProps={{ className: "monaco-host", "data-testid": "monaco-host" }}
      />
      <div ref={statusBar} className={`keymap-status mono${keymap === "vim" ? "" : " hidden"}`} data-testid="vim-status" />
    </div>
  );
}
