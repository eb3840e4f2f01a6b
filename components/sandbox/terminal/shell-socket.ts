import type { IDisposable, Terminal } from "@xterm/xterm";
import { SHELL_PATH_PREFIX, type ShellServerMessage } from "@/lib/shell-protocol";
import { ansi } from "./xterm-theme";

export type ShellState = { phase: "connecting" } | { phase: "open" } | { phase: "closed"; message: string };

const REFUSED = "The shell could not be opened: sign in again, or check that this project is yours.";

/**
 * One interactive shell: a WebSocket to /ws/shell/<projectId> wired to an xterm. Keystrokes go
 * out as binary frames, output comes back as raw bytes written straight into xterm, and the
 * terminal's size follows it as resize messages. When the shell ends, the server's reason is
 * written into the terminal and reported through onState.
 */
export class ShellSocket {
  private readonly ws: WebSocket;
  private readonly disposables: IDisposable[] = [];
  private opened = false;
  private ending: Exclude<ShellServerMessage, { type: "ready" }> | null = null;
  private readonly encoder = new TextEncoder();

  constructor(
    terminal: Terminal,
    projectId: number,
    private readonly onState: (state: ShellState) => void,
  ) {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    this.ws = new WebSocket(`${scheme}://${window.location.host}${SHELL_PATH_PREFIX}${projectId}?cols=${terminal.cols}&rows=${terminal.rows}`);
    this.ws.binaryType = "arraybuffer";
    onState({ phase: "connecting" });

    this.ws.onopen = () => {
      this.opened = true;
    };
    this.ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      if (typeof event.data !== "string") return terminal.write(new Uint8Array(event.data));
      const message = JSON.parse(event.data) as ShellServerMessage;
      if (message.type === "ready") {
        onState({ phase: "open" });
        // The size may have changed while the shell started.
        this.send(JSON.stringify({ type: "resize", cols: terminal.cols, rows: terminal.rows }));
      } else {
        this.ending = message;
      }
    };
    this.ws.onclose = () => {
      this.dispose();
      const message = this.ending?.message ?? (this.opened ? "The connection to the shell was lost." : REFUSED);
      terminal.write(`\r\n${this.ending?.type === "exit" && this.ending.reason === "exited" ? ansi.dim(message) : ansi.yellow(message)}\r\n`);
      onState({ phase: "closed", message });
    };

    this.disposables.push(
      terminal.onData((data) => this.send(this.encoder.encode(data))),
      terminal.onBinary((data) => this.send(Uint8Array.from(data, (c) => c.charCodeAt(0)))),
      terminal.onResize(({ cols, rows }) => this.send(JSON.stringify({ type: "resize", cols, rows }))),
    );
  }

  close(): void {
    this.dispose();
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close(1000, "closed by the user");
  }

  private send(data: string | Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data);
  }

  private dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
