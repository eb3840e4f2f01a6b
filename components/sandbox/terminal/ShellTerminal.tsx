"use client";

import type { Terminal } from "@xterm/xterm";
import { useCallback, useRef, useState } from "react";
import type { FileLinkHandler } from "../file-links/xterm-file-links";
import { type ShellState, ShellSocket } from "./shell-socket";
import { XtermView } from "./XtermView";
import { ansi } from "./xterm-theme";

type Props = { projectId: number; active: boolean; fileLinks?: FileLinkHandler };

const LABEL = { connecting: "starting…", open: "connected", closed: "closed" } as const;

/**
 * An interactive shell in the project's container (a PTY over a WebSocket), in an xterm. It
 * starts when the tab is first shown; after it ends (exit, idle, container stopped) "New shell"
 * opens another in the same terminal.
 */
export function ShellTerminal({ projectId, active, fileLinks }: Props) {
  const terminal = useRef<Terminal | null>(null);
  const socket = useRef<ShellSocket | null>(null);
  const [state, setState] = useState<ShellState>({ phase: "connecting" });

  const connect = useCallback(() => {
    const term = terminal.current;
    if (!term) return;
    socket.current?.close();
    socket.current = new ShellSocket(term, projectId, (next) => {
      setState(next);
      if (next.phase === "open") term.focus();
    });
  }, [projectId]);

  const onReady = useCallback(
    (term: Terminal) => {
      terminal.current = term;
      term.write(ansi.dim("Interactive shell in this project's container (files in /workspace). Ctrl+D or `exit` ends it.\r\n"));
      connect();
      return () => {
        socket.current?.close();
        socket.current = null;
        terminal.current = null;
      };
    },
    [connect],
  );

  return (
    <section className="terminal-panel" aria-label="Shell">
      <div className="terminal-bar top">
        <span
          className={`stream-state ${state.phase === "open" ? "live" : state.phase === "closed" ? "closed" : "reconnecting"}`}
          data-testid="shell-state"
          role="status"
        >
          {LABEL[state.phase]}
        </span>
        {state.phase === "closed" && (
          <>
            <span className="muted grow" data-testid="shell-message">
              {state.message}
            </span>
            <button
              className="btn btn-small"
              onClick={() => {
                terminal.current?.reset();
                connect();
              }}
            >
              New shell
            </button>
          </>
        )}
      </div>
      <XtermView onReady={onReady} active={active} label="Interactive shell" testId="shell-output" options={{ cursorBlink: true }} fileLinks={fileLinks} />
    </section>
  );
}
