import type { ITerminalOptions } from "@xterm/xterm";

/** The IDE's dark palette for xterm (the same colours as app/globals.css). */
export const XTERM_OPTIONS: ITerminalOptions = {
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
  fontSize: 13,
  lineHeight: 1.15,
  scrollback: 5000,
  theme: {
    background: "#0b0d12",
    foreground: "#e6e8ef",
    cursor: "#7c9cff",
    selectionBackground: "#2c3654",
    black: "#1b1e28",
    red: "#ff6b6b",
    green: "#4cd19a",
    yellow: "#f2c66d",
    blue: "#7c9cff",
    magenta: "#c792ea",
    cyan: "#5fd3e6",
    white: "#d7dae3",
    brightBlack: "#6b7386",
    brightRed: "#ff8a8a",
    brightGreen: "#6fe3b1",
    brightYellow: "#ffd88a",
    brightBlue: "#9db6ff",
    brightMagenta: "#dbb0f5",
    brightCyan: "#8ae6f2",
    brightWhite: "#ffffff",
  },
};

/** ANSI helpers for lines the IDE itself writes into a terminal (headers, exit status, notices). */
export const ansi = {
  dim: (s: string) => `\x1b[90m${s}\x1b[0m`,
  red: (s: string) => `\x1b[31m${s}\x1b[0m`,
  green: (s: string) => `\x1b[32m${s}\x1b[0m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[0m`,
  bold: (s: string) => `\x1b[1m${s}\x1b[0m`,
};
