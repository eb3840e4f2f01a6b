// A pod exec over the API server's WebSocket, subprotocol v5.channel.k8s.io, as an AttachedExec:
// the same shape the Docker driver hands the agent client, so AgentConnection.over() runs its
// HTTP/2 session over it unchanged. Each binary message starts with a channel byte: 0 stdin,
// 1 stdout, 2 stderr, 3 the exec's final Status, 4 resize, 255 "close channel N" (v5 only: it is
// what lets us half-close stdin, so older subprotocols are refused).
//
// @kubernetes/client-node's Exec is not used for the stream: it writes stdin without waiting for
// the socket (no backpressure), pushes output without pausing the socket, and ends the handler's
// default streams (process.stdout) on a close message. Its KubeConfig still supplies the URL,
// credentials and TLS options, so authentication is the library's.
import { PassThrough, Readable, Writable } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node";
import WebSocket from "ws";
import type { AttachedExec } from "../driver";

export const EXEC_SUBPROTOCOL = "v5.channel.k8s.io";
export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, close: 255 } as const;
/** One message from the API server; the kubelet relays output in far smaller pieces. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  tty?: boolean;
}

export interface ExecStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/** The exit code a v5 Status carries: 0 on Success, the ExitCode cause on NonZeroExitCode, else null. */
export function exitCodeOf(status: ExecStatus): number | null {
  if (status.status === "Success") return 0;
  if (status.reason !== "NonZeroExitCode") return null;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = Number(cause?.message);
  return Number.isInteger(code) ? code : null;
}

export function execPath(target: ExecTarget): string {
  const query = new URLSearchParams();
  for (const arg of target.command) query.append("command", arg);
  query.set("container", target.container);
  query.set("stdin", "true");
  query.set("stdout", "true");
  // With a tty the kubelet merges stderr into the terminal; asking for both is refused.
  query.set("stderr", target.tty ? "false" : "true");
  query.set("tty", target.tty ? "true" : "false");
  return `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/exec?${query.toString()}`;
}

export class ExecRefusedError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null,
  ) {
    super(message);
    this.name = "ExecRefusedError";
  }
}

/** Opens the exec and resolves once the API server has accepted it with the v5 subprotocol. */
export async function openExecStream(kubeConfig: KubeConfig, target: ExecTarget): Promise<AttachedExec> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new ExecRefusedError("no current cluster in the kubeconfig", null);
  const url = new URL(execPath(target), cluster.server);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const options: WebSocket.ClientOptions = { maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false };
  await kubeConfig.applyToHTTPSOptions(options);

  const ws = new WebSocket(url, [EXEC_SUBPROTOCOL], options);
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (err: ExecRefusedError) => {
      if (!settled) reject(err);
      settled = true;
    };
    ws.once("open", () => {
      settled = true;
      resolve();
    });
    ws.on("error", (err) => fail(new ExecRefusedError(`exec into ${target.pod} failed: ${err.message}`, null)));
    // The API server's refusal (403 RBAC, 404 no pod, 400 not running) is a Status in the body.
    ws.once("unexpected-response", (request, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        if ((size += c.length) <= 4096) chunks.push(c);
      });
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8").slice(0, 500);
        fail(new ExecRefusedError(`exec into ${target.pod} refused with HTTP ${res.statusCode ?? "?"}: ${body}`, res.statusCode ?? null));
        request.destroy();
      });
    });
  });
  if (ws.protocol !== EXEC_SUBPROTOCOL) {
    ws.terminate();
    throw new ExecRefusedError(`API server chose subprotocol ${JSON.stringify(ws.protocol)}, not ${EXEC_SUBPROTOCOL}`, null);
  }
  return new WebSocketExec(ws);
}

class WebSocketExec implements AttachedExec {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: PassThrough;
  readonly exited: Promise<{ exitCode: number | null }>;
  private status: ExecStatus | null = null;

  constructor(private readonly ws: WebSocket) {
    this.stdout = new Readable({
      // Reading again is what resumes the socket paused below: output waits in the kernel, not here.
      read: () => ws.resume(),
      // A reader that gives up must not leave the socket paused: the close would never be read.
      destroy: (err, callback) => {
        ws.resume();
        callback(err);
      },
    });
    this.stderr = new PassThrough();
    this.stdin = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (ws.readyState !== WebSocket.OPEN) return callback(new Error("exec stream is closed"));
        // The callback fires once the frame is written to the socket: the writer waits on a slow peer.
        ws.send(Buffer.concat([Buffer.of(CHANNEL.stdin), chunk]), { binary: true }, (err) => callback(err ?? null));
      },
      final: (callback) => {
        if (ws.readyState !== WebSocket.OPEN) return callback();
        ws.send(Buffer.of(CHANNEL.close, CHANNEL.stdin), { binary: true }, (err) => callback(err ?? null));
      },
    });
    this.exited = new Promise((resolve) => {
      ws.once("close", () => {
        if (!this.stdout.readableEnded && !this.stdout.destroyed) this.stdout.push(null);
        if (!this.stderr.writableEnded) this.stderr.end();
        resolve({ exitCode: this.status ? exitCodeOf(this.status) : null });
      });
    });
    ws.on("error", () => ws.terminate());
    ws.on("message", (data: Buffer, isBinary: boolean) => this.onMessage(isBinary ? data : Buffer.from(data)));
  }

  private onMessage(message: Buffer): void {
    const channel = message[0];
    const payload = message.subarray(1);
    switch (channel) {
      case CHANNEL.stdout:
        if (payload.length > 0 && !this.stdout.destroyed && !this.stdout.push(payload)) this.ws.pause();
        return;
      case CHANNEL.stderr:
        if (payload.length > 0) this.stderr.write(payload);
        return;
      case CHANNEL.status:
        try {
          this.status = JSON.parse(payload.toString("utf8")) as ExecStatus;
        } catch {
          this.status = { status: "Failure", message: "unparseable exec status" };
        }
        return;
      case CHANNEL.close:
        if (payload[0] === CHANNEL.stdout) this.stdout.push(null);
        if (payload[0] === CHANNEL.stderr) this.stderr.end();
        return;
      default:
        // Unknown channel: a peer that does not speak v5. End the stream rather than guess.
        this.ws.terminate();
    }
  }

  /** The Status the API server sent at the end (null before it, or when the stream was cut). */
  get finalStatus(): ExecStatus | null {
    return this.status;
  }

  resize(cols: number, rows: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) return resolve();
      const body = Buffer.from(JSON.stringify({ Width: cols, Height: rows }));
      this.ws.send(Buffer.concat([Buffer.of(CHANNEL.resize), body]), { binary: true }, (err) => (err ? reject(err) : resolve()));
    });
  }

  detach(): void {
    this.ws.terminate();
  }
}
