import { request } from "node:http";
import WebSocket from "ws";
import type { RestClient } from "./live-server";
import { sleep } from "./live-server";
import type { Check } from "./replica-feeds";

// Previews through any instance (domain mode): a dev server started through A, reached at B's
// preview listener with the preview's host name; B authenticates the API key and carries the
// bytes to A's container through A (services/cluster/port-tunnel.ts).

export interface PreviewsContext {
  check: Check;
  viaA: RestClient;
  key: string;
  projectId: number;
  /** B's domain-mode preview listener. */
  listenB: number;
}

// A dev server with a WebSocket that echoes one small text frame (no package in the image needed).
const DEV_SERVER = [
  `const h=require("http"),c=require("crypto");`,
  `const s=h.createServer((q,r)=>r.end("preview page from A "+q.url));`,
  `s.on("upgrade",(q,k)=>{const a=c.createHash("sha1").update(q.headers["sec-websocket-key"]+"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");`,
  `k.write("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: "+a+"\\r\\n\\r\\n");`,
  `k.on("data",b=>{if((b[0]&15)!==1)return k.destroy();const n=b[1]&127,m=b.subarray(2,6),p=Buffer.from(b.subarray(6,6+n).map((x,i)=>x^m[i%4]));k.write(Buffer.concat([Buffer.from([129,p.length]),p]))})});`,
  `s.listen(8000);`,
].join("");

function getThrough(listen: number, host: string, key: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    request({ host: "127.0.0.1", port: listen, path: "/from-b", headers: { host, authorization: `Bearer ${key}` }, timeout: 10_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", (err) => resolve({ status: 0, body: err.message }))
      .on("timeout", function (this: { destroy(): void }) {
        this.destroy();
      })
      .end();
  });
}

export async function checkPreviews(ctx: PreviewsContext): Promise<void> {
  const { check, viaA } = ctx;
  const proc = (await viaA.json("POST", `/api/sandbox/projects/${ctx.projectId}/processes`, { command: `node -e '${DEV_SERVER}'`, port: 8000 })) as {
    id: number;
    preview_url: string | null;
  };
  const slot = proc.preview_url ? new URL(proc.preview_url).hostname.split(".")[0] : null;
  const host = `${slot}.preview.localhost:${ctx.listenB}`;
  let page = { status: 0, body: "no preview url" };
  const deadline = Date.now() + 60_000;
  while (slot && Date.now() < deadline) {
    page = await getThrough(ctx.listenB, host, ctx.key);
    if (page.status === 200) break;
    await sleep(500);
  }
  check(
    "a dev server started through A, fetched through B's preview listener",
    page.status === 200 && page.body === "preview page from A /from-b",
    `preview ${proc.preview_url}; B answered ${page.status} ${JSON.stringify(page.body.slice(0, 60))}`,
  );

  let reply = "";
  let failure: string | null = null;
  const ws = new WebSocket(`ws://127.0.0.1:${ctx.listenB}/hmr`, { headers: { host, authorization: `Bearer ${ctx.key}` } });
  ws.on("message", (data: Buffer) => (reply = data.toString("utf8")));
  ws.on("unexpected-response", (_req, res) => (failure = `refused ${res.statusCode}`));
  ws.on("error", (err) => (failure ??= err.message));
  ws.once("open", () => ws.send("ping through B"));
  const wsDeadline = Date.now() + 20_000;
  while (!reply && !failure && Date.now() < wsDeadline) await sleep(50);
  ws.terminate();
  check("a WebSocket to that dev server through B echoes", reply === "ping through B", failure ?? `echo ${JSON.stringify(reply)}`);
  await viaA.raw("DELETE", `/api/sandbox/projects/${ctx.projectId}/processes/${proc.id}`);
}
