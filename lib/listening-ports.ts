// Which ports a program serves, read from what it prints and from the kernel's socket table.
// Shared by the server (an execution's `listeningPorts`) and the IDE (the live "serving on port N"
// suggestion), so both read the same output the same way. Pure: no I/O.

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

// Addresses of this machine as servers print them: http://localhost:5173/, 127.0.0.1:8080,
// http://0.0.0.0:8000, http://[::]:3000, [::1]:4000.
const LOCAL_ADDRESS = /(?:https?:\/\/)?(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1?\])\s*:\s*(\d{1,5})(?!\d)/gi;
// "Listening on port 3000", "listening on :8080", "Serving HTTP on 0.0.0.0 port 8000", "running on port 5000".
const PORT_PHRASE = /\b(?:listen(?:ing)?|serving|running|started|bound)\b[^\n]{0,40}?\bport\s*:?\s*(\d{1,5})(?!\d)|\blisten(?:ing)?\s+on\s+:(\d{1,5})(?!\d)/gi;

/** Characters kept from one chunk to the next, so an address split between two writes is still seen. */
const CARRY = 120;

function validPort(text: string | undefined): number | null {
  if (!text) return null;
  const port = Number(text);
  return Number.isInteger(port) && port >= 1 && port <= 65_535 ? port : null;
}

/** Ports a piece of output names as served on this machine, in order of first appearance. */
export function portsInOutput(text: string): number[] {
  const plain = text.replace(ANSI, "");
  const found: { at: number; port: number }[] = [];
  for (const match of plain.matchAll(LOCAL_ADDRESS)) {
    const port = validPort(match[1]);
    if (port !== null) found.push({ at: match.index, port });
  }
  for (const match of plain.matchAll(PORT_PHRASE)) {
    const port = validPort(match[1] ?? match[2]);
    if (port !== null) found.push({ at: match.index, port });
  }
  return [...new Set(found.sort((a, b) => a.at - b.at).map((f) => f.port))];
}

/**
 * Follows a stream of output chunk by chunk and reports each port the first time it is named,
 * including addresses split across chunks.
 */
export class OutputPortScanner {
  private tail = "";
  private readonly seen = new Set<number>();

  /** The ports named for the first time in this chunk. */
  feed(chunk: string): number[] {
    const text = this.tail + chunk;
    this.tail = text.slice(-CARRY);
    const fresh = portsInOutput(text).filter((port) => !this.seen.has(port));
    for (const port of fresh) this.seen.add(port);
    return fresh;
  }

  get ports(): number[] {
    return [...this.seen];
  }
}

/** TCP_LISTEN in the `st` column of /proc/net/tcp and /proc/net/tcp6. */
const TCP_LISTEN = "0A";

/**
 * The listening ports in the text of /proc/net/tcp and /proc/net/tcp6 (concatenated), sorted.
 * Lines look like `0: 0100007F:1435 00000000:0000 0A …`: local address:port in hex, then the
 * remote one, then the state.
 */
export function listeningPortsInProcNet(text: string): number[] {
  const ports = new Set<number>();
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || !/^\d+:$/.test(fields[0] ?? "") || fields[3] !== TCP_LISTEN) continue;
    const hexPort = fields[1]?.split(":").at(-1) ?? "";
    if (!/^[0-9A-Fa-f]{1,4}$/.test(hexPort)) continue;
    const port = parseInt(hexPort, 16);
    if (port > 0) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}
