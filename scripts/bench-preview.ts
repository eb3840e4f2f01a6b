// What the preview proxy costs, against a running server (real engine, real tunnel):
//   - per request, warm: GET /ping through the preview listener (client keep-alive, as a browser)
//     vs. the same requests made inside the container straight to 127.0.0.1 (an execution runs a
//     client there), same server, same run; the difference of the medians is the proxy's share;
//   - per request, cold: the first request after the pooled upstream connections went idle
//     (a new pantheon-tunnel process is spawned), also while the project runs an execution;
//   - start → first answer: POST …/processes {} on a react-app project until its page answers 200.
// Usage: SANDBOX_URL=http://localhost:3000 SANDBOX_API_KEY=psk_… BENCH_ROUNDS=200 npx tsx scripts/bench-preview.ts
// (the key needs projects:read, projects:write, executions:run; the server's rate limits must allow
// a few executions and process starts).
import { Agent, request } from "node:http";

const url = (process.env.SANDBOX_URL ?? "http://localhost:3000").replace(/\/+$/, "");
const apiKey = process.env.SANDBOX_API_KEY;
const rounds = Number(process.env.BENCH_ROUNDS ?? 200);
const coldRounds = Number(process.env.BENCH_COLD_ROUNDS ?? 5);
const startRounds = Number(process.env.BENCH_START_ROUNDS ?? 3);
if (!apiKey) {
  console.error("Set SANDBOX_API_KEY");
  process.exit(2);
}
const auth = { authorization: `Bearer ${apiKey}` };

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...auth, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
function get(target: string, agent: Agent | false = keepAlive): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(target, { headers: auth, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
    });
    req.on("error", reject);
    req.end();
  });
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { median: at(0.5), p95: at(0.95), n: s.length };
};
const fmt = (x: { median: number; p95: number; n: number }) => `median ${x.median.toFixed(2)} ms, p95 ${x.p95.toFixed(2)} ms (n=${x.n})`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(target: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await get(target, false).catch(() => null);
    if (answer && answer.status !== 502) return;
    if (Date.now() > deadline) throw new Error(`${target} did not answer`);
    await sleep(100);
  }
}

const SERVER = `import http from "node:http";
http.createServer((req, res) => { res.writeHead(200, { "content-type": "text/plain" }); res.end("pong"); })
  .listen(Number(process.env.PORT), "127.0.0.1", () => console.log("ready"));
`;
// The in-container baseline: the same sequential keep-alive GETs, straight to the server.
const CLIENT = `import http from "node:http";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = () => new Promise((resolve, reject) => {
  const t = performance.now();
  http.get({ host: "127.0.0.1", port: Number(process.argv[2]), path: "/ping", agent }, (res) => { res.resume(); res.on("end", () => resolve(performance.now() - t)); }).on("error", reject);
});
for (let i = 0; i < 20; i++) await get();
const out = [];
for (let i = 0; i < Number(process.argv[3]); i++) out.push(await get());
console.log(JSON.stringify(out));
agent.destroy();
`;

// ---- warm and cold per-request latency ----
const project = await api("POST", "/api/sandbox/projects", { name: "bench preview", template: "node-api" });
const projectId = String(project.id);
await api("POST", `/api/sandbox/projects/${projectId}/files`, { path: "bench-server.mjs", content: SERVER });
await api("POST", `/api/sandbox/projects/${projectId}/files`, { path: "bench-client.mjs", content: CLIENT });
const server = await api("POST", `/api/sandbox/projects/${projectId}/processes`, { command: "node bench-server.mjs", port: 8081 });
const ping = `${String(server.preview_url)}ping`;
await waitFor(ping);

for (let i = 0; i < 20; i++) await get(ping); // warm both pools
const proxied: number[] = [];
for (let i = 0; i < rounds; i++) {
  const r = await get(ping);
  if (r.body !== "pong") throw new Error(`unexpected answer ${r.status} ${r.body.slice(0, 200)}`);
  proxied.push(r.ms);
}
const exec = await api("POST", `/api/sandbox/projects/${projectId}/execute`, { command: `node bench-client.mjs 8081 ${rounds}`, timeout: 120 });
if (exec.status !== "success") throw new Error(`in-container client failed: ${JSON.stringify(exec)}`);
const direct = JSON.parse(String(exec.output).trim().split("\n").pop() ?? "[]") as number[];

const cold: number[] = [];
for (let i = 0; i < coldRounds; i++) {
  await sleep(5_000); // the proxy drops idle upstream connections after 4 s
  cold.push((await get(ping, false)).ms);
}
// The same cold request while the project runs an execution: a new tunnel does not queue behind it.
const coldBusy: number[] = [];
for (let i = 0; i < coldRounds; i++) {
  await sleep(5_000);
  const running = api("POST", `/api/sandbox/projects/${projectId}/execute`, { command: "sleep 3", timeout: 30 });
  await sleep(500); // the execution is under way
  coldBusy.push((await get(ping, false)).ms);
  await running;
}
await api("DELETE", `/api/sandbox/projects/${projectId}/processes/${String(server.id)}`);

const p = stats(proxied);
const d = stats(direct);
console.log(`through the preview listener (warm, keep-alive):  ${fmt(p)}`);
console.log(`inside the container, straight to 127.0.0.1:     ${fmt(d)}`);
console.log(`added by the proxy: median ${(p.median - d.median).toFixed(2)} ms, p95 ${(p.p95 - d.p95).toFixed(2)} ms`);
console.log(`cold (new tunnel after idle, new client connection): ${fmt(stats(cold))}`);
console.log(`cold, while the project runs a 3 s execution:       ${fmt(stats(coldBusy))}`);

// ---- react-app: start → first answer of its page ----
const react = await api("POST", "/api/sandbox/projects", { name: "bench react", template: "react-app" });
const starts: number[] = [];
for (let i = 0; i < startRounds; i++) {
  const t0 = performance.now();
  const dev = await api("POST", `/api/sandbox/projects/${String(react.id)}/processes`, {});
  await waitFor(String(dev.preview_url));
  const page = await get(String(dev.preview_url), false);
  if (!page.body.includes("/@vite/client")) throw new Error(`not the Vite page: ${page.body.slice(0, 200)}`);
  starts.push(performance.now() - t0);
  await api("DELETE", `/api/sandbox/projects/${String(react.id)}/processes/${String(dev.id)}`);
}
console.log(`react-app POST …/processes {} → page answers 200: ${starts.map((s) => s.toFixed(0)).join(", ")} ms; ${fmt(stats(starts))}`);
keepAlive.destroy();
export {};
