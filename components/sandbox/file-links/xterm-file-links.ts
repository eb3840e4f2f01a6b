import type { IBufferRange, IDisposable, Terminal } from "@xterm/xterm";
import type { FileLink } from "./parse-file-links";

/** What a terminal needs to turn `file:line` text into links: find them in a line, open one. */
export type FileLinkHandler = {
  links: (text: string) => FileLink[];
  open: (link: FileLink) => void;
};

/** A stack frame rarely wraps more than a few rows; past this a line is not searched further. */
const MAX_ROWS = 16;

type Position = { x: number; y: number };

/**
 * The logical line (a line and the rows it wrapped onto) that buffer row `row` (0-based) belongs
 * to, as text, with the buffer position (1-based, as IBufferRange counts) of every UTF-16 unit.
 */
function logicalLine(terminal: Terminal, row: number): { text: string; positions: Position[] } {
  const buffer = terminal.buffer.active;
  let first = row;
  while (first > 0 && row - first < MAX_ROWS && buffer.getLine(first)?.isWrapped) first--;
  const cell = buffer.getNullCell();
  let text = "";
  const positions: Position[] = [];
  for (let y = first; y < first + MAX_ROWS; y++) {
    const line = buffer.getLine(y);
    if (!line || (y > first && !line.isWrapped)) break;
    for (let x = 0; x < line.length; x++) {
      line.getCell(x, cell);
      if (cell.getWidth() === 0) continue; // the right half of a wide character
      const chars = cell.getChars() || " ";
      text += chars;
      for (let i = 0; i < chars.length; i++) positions.push({ x: x + 1, y: y + 1 });
    }
  }
  return { text: text.trimEnd(), positions };
}

/**
 * Makes `file:line(:col)` references in a terminal's output clickable through xterm's link
 * provider API. Which text is a link, and what opening it does, is the handler's business (only
 * files of the project, parse-file-links.ts); this maps its matches onto buffer ranges.
 */
export function registerFileLinks(terminal: Terminal, handler: () => FileLinkHandler | null): IDisposable {
  return terminal.registerLinkProvider({
    provideLinks(bufferLineNumber, callback) {
      const current = handler();
      if (!current) return callback(undefined);
      const { text, positions } = logicalLine(terminal, bufferLineNumber - 1);
      const links = current.links(text).flatMap((link) => {
        const start = positions[link.start];
        const end = positions[link.end - 1];
        if (!start || !end) return [];
        const range: IBufferRange = { start, end };
        return [{ range, text: text.slice(link.start, link.end), activate: () => current.open(link) }];
      });
      callback(links.length ? links : undefined);
    },
  });
}
