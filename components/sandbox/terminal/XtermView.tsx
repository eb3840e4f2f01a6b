"use client";

import "@xterm/xterm/css/xterm.css";
import "./terminal.css";
import type { ITerminalOptions, Terminal } from "@xterm/xterm";
import { useEffect, useRef } from "react";
import { type FileLinkHandler, registerFileLinks } from "../file-links/xterm-file-links";
import { openTerminalLink, TERMINAL_LINK_HANDLER } from "./terminal-links";
import { XTERM_OPTIONS } from "./xterm-theme";

type Props = {
  /** Called once with the live terminal; the returned function runs before it is disposed. */
  onReady: (terminal: Terminal) => (() => void) | void;
  /** Refit when the tab becomes visible (a hidden element has no size to fit to). */
  active: boolean;
  options?: ITerminalOptions;
  label: string;
  testId?: string;
  /** Makes `file:line` references in the output open the file (only files of the project). */
  fileLinks?: FileLinkHandler;
};

/**
 * An xterm.js terminal that fills its box and refits on every size change. xterm touches the
 * DOM when its module loads, so it is imported in the browser only, from this app's bundle.
 */
export function XtermView({ onReady, active, options, label, testId, fileLinks }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const fitRef = useRef<(() => void) | null>(null);
  const ready = useRef(onReady);
  const opts = useRef(options);
  const links = useRef(fileLinks);
  links.current = fileLinks;

  useEffect(() => {
    let disposed = false;
    let cleanup: (() => void) | undefined;
    void (async () => {
      const [{ Terminal }, { FitAddon }, { WebLinksAddon }] = await Promise.all([
        import("@xterm/xterm"),
        import("@xterm/addon-fit"),
        import("@xterm/addon-web-links"),
      ]);
      const element = host.current;
      if (disposed || !element) return;
      const terminal = new Terminal({ ...XTERM_OPTIONS, ...opts.current, linkHandler: TERMINAL_LINK_HANDLER });
      const fit = new FitAddon();
      terminal.loadAddon(fit);
      terminal.loadAddon(new WebLinksAddon((_event, uri) => openTerminalLink(uri)));
      const fileLinkProvider = registerFileLinks(terminal, () => links.current ?? null);
      terminal.open(element);
      const refit = () => {
        // fit() throws or yields 0x0 while the element is hidden: keep the last good size.
        if (element.clientWidth > 0 && element.clientHeight > 0) fit.fit();
      };
      fitRef.current = refit;
      refit();
      const observer = new ResizeObserver(() => refit());
      observer.observe(element);
      const release = ready.current(terminal);
      cleanup = () => {
        observer.disconnect();
        release?.();
        fileLinkProvider.dispose();
        terminal.dispose();
      };
    })();
    return () => {
      disposed = true;
      fitRef.current = null;
      cleanup?.();
    };
  }, []);

  useEffect(() => {
    if (active) fitRef.current?.();
  }, [active]);

  return <div ref={host} className="xterm-host" role="group" aria-label={label} data-testid={testId} />;
}
