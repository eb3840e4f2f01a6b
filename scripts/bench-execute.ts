// Median and p95 of POST /api/sandbox/projects/:id/execute for `node -e "console.log(1)"` on a warm
// project, over real HTTP against a running server. The seed allows 10 executions per project per
// minute and 50 per user: start the server with SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE and
// SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE raised for this.
// Usage: SANDBOX_URL=http://localhost:3000 SANDBOX_API_KEY=psk_… BENCH_ROUNDS=30 npx tsx scripts/bench-execute.ts
const url = (process.env.SANDBOX_URL ?? "http://localhost:3000").replace(/\/+$/, "");
const apiKey = process.env.SANDBOX_API_KEY;
const rounds = Number(process.env.BENCH_ROUNDS ?? 30);
if (!apiKey) {
  console.error("Set SANDBOX_API_KEY");
  process.exit(2);
}
const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const project = await post("/api/sandbox/projects", { name: "bench" });
const execute = async () => {
  const started = performance.now();
  const result = await post(`/api/sandbox/projects/${String(project.id)}/execute`, { command: 'node -e "console.log(1)"' });
  if (result.output !== "1\n") throw new Error(`unexpected output ${JSON.stringify(result)}`);
  return performance.now() - started;
};
for (let i = 0; i < 3; i++) await execute(); // warm: the project holds its container
const samples: number[] = [];
for (let i = 0; i < rounds; i++) samples.push(await execute());
samples.sort((a, b) => a - b);
const at = (q: number) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)] ?? NaN;
console.log(`POST /execute node -e "console.log(1)", warm project, n=${rounds}: median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms`);
export {};
