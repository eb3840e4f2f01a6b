// `npx tsx server/egress/bench/egress-bench.ts` (SANDBOX_RUNTIME=runc|runsc, BENCH_ROUNDS=n):
// what the egress path (container → pantheon-tunnel → docker exec → proxy → registry) costs,
// beside the same work done on the host directly. Traffic goes only to the npm registry.
// A script, not a test: it prints medians and asserts nothing.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import pino from "pino";
import { createDockerSandboxEngine } from "@/server/sandbox/docker-engine";
import { MemoryWorkspaceStore } from "@/test/support/memory-workspace-store";
import { dockerNetworkSubnets } from "../docker-subnets";
import { EgressGateway } from "../egress-gateway";

const run = promisify(execFile);
const runtime = process.env.SANDBOX_RUNTIME === "runsc" ? "runsc" : "runc";
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const requests = Number(process.env.BENCH_REQUESTS ?? 20);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

// Sequential HTTPS GETs of a small registry document, each on a new connection (CONNECT + TLS
// through the proxy when HTTPS_PROXY is set), then the same over one kept-alive connection.
// Prints JSON {fresh: ms[], reused: ms[]}. The same code runs in the container and on the host.
const REQUEST_SCRIPT = `
const net = require("net"), tls = require("tls");
const host = "registry.npmjs.org", path = "/is-number", n = ${requests};
const proxy = process.env.HTTPS_PROXY ? new URL(process.env.HTTPS_PROXY) : null;
function open() {
  return new Promise((resolve, reject) => {
    const secure = (socket) => { const s = tls.connect({ socket, host: socket ? undefined : host, port: 443, servername: host }, () => resolve(s)); s.on("error", reject); };
    if (!proxy) return secure(undefined);
    const raw = net.connect(Number(proxy.port), proxy.hostname, () => raw.write("CONNECT " + host + ":443 HTTP/1.1\\r\\nHost: " + host + ":443\\r\\n\\r\\n"));
    let head = "";
    const onData = (d) => { head += d; if (head.includes("\\r\\n\\r\\n")) { raw.off("data", onData); if (!head.startsWith("HTTP/1.1 200")) reject(new Error(head)); else secure(raw); } };
    raw.on("data", onData); raw.on("error", reject);
  });
}
function get(s) {
  return new Promise((resolve, reject) => {
    let buf = "", need = -1, start = -1;
    const onData = (d) => {
      buf += d.toString("latin1");
      if (start < 0 && buf.includes("\\r\\n\\r\\n")) { start = buf.indexOf("\\r\\n\\r\\n") + 4; const m = /content-length: (\\d+)/i.exec(buf.slice(0, start)); need = m ? Number(m[1]) : 0; }
      if (start >= 0 && buf.length - start >= need) { s.off("data", onData); resolve(); }
    };
    s.on("data", onData); s.once("error", reject);
    s.write("GET " + path + " HTTP/1.1\\r\\nHost: " + host + "\\r\\nAccept: application/vnd.npm.install-v1+json\\r\\nAccept-Encoding: identity\\r\\n\\r\\n");
  });
}
(async () => {
  const fresh = [], reused = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); const s = await open(); await get(s); fresh.push(performance.now() - t); s.destroy(); }
  const s = await open(); await get(s);
  for (let i = 0; i < n; i++) { const t = performance.now(); await get(s); reused.push(performance.now() - t); }
  s.destroy();
  console.log(JSON.stringify({ fresh, reused }));
})().catch((e) => { console.error(e.message); process.exit(1); });
`;

async function main() {
  const docker = new Dockerode();
  const logger = pino({ level: process.env.BENCH_LOG ?? "silent" });
  const projectId = `egress-bench-${process.pid}`;
  const gateway = new EgressGateway({
    log: logger,
    policyFor: async (id) => (id === projectId ? "registry" : "none"),
    caFile: "/etc/ssl/certs/ca-certificates.crt",
    dockerSubnets: () => dockerNetworkSubnets(docker),
  });
  const engine = createDockerSandboxEngine({
    config: { runtime, poolSizePerImage: 1, warmImages: ["node"], postureCheck: false, scope: "bench", reapOtherInstances: false, defaultTimeoutMs: 180_000 },
    store: new MemoryWorkspaceStore(),
    logger,
    docker,
    egress: gateway,
  });
  await engine.start();
  const inContainer = async (command: string) => {
    const r = await engine.execute(projectId, { kind: "command", command }, { network: "registry" });
    if (r.exitCode !== 0) throw new Error(`${command.slice(0, 60)}: ${r.errorOutput}`);
    return r;
  };
  try {
    console.log(`egress bench: runtime=${runtime} rounds=${rounds} requests=${requests}`);
    await inContainer("true"); // container + tunnel up before timing

    // npm install of one small package, cold npm cache every round.
    const INSTALL = "npm install is-number --no-audit --no-fund --loglevel=error";
    const container: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = await inContainer(
        `rm -rf /tmp/.npm node_modules package-lock.json; echo '{"name":"b","version":"1.0.0"}' > package.json; s=$(date +%s%N); ${INSTALL}; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))`,
      );
      container.push(Number(r.output.trim().split("\n").pop()));
    }
    const host: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const dir = mkdtempSync(join(tmpdir(), "egress-bench-"));
      try {
        writeFileSync(join(dir, "package.json"), '{"name":"b","version":"1.0.0"}');
        const t = performance.now();
        await run("npm", [...INSTALL.split(" ").slice(1), "--cache", join(dir, ".npm")], { cwd: dir });
        host.push(performance.now() - t);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    console.log(
      `npm install is-number (cold cache), median of ${rounds}: container via proxy ${median(container).toFixed(0)} ms, host direct ${median(host).toFixed(0)} ms`,
    );

    // Per request: new connection (CONNECT + TLS + GET) and a request on a kept-alive connection.
    const r = await inContainer(`node -e '${REQUEST_SCRIPT.replace(/'/g, "'\\''")}'`);
    const viaProxy = JSON.parse(r.output) as { fresh: number[]; reused: number[] };
    const { stdout } = await run("node", ["-e", REQUEST_SCRIPT], { env: { ...process.env, HTTPS_PROXY: "" } });
    const direct = JSON.parse(stdout) as { fresh: number[]; reused: number[] };
    console.log(
      `GET registry.npmjs.org/is-number, median of ${requests}: new connection ${median(viaProxy.fresh).toFixed(1)} ms via proxy vs ${median(direct.fresh).toFixed(1)} ms direct (added ${(median(viaProxy.fresh) - median(direct.fresh)).toFixed(1)} ms); kept-alive ${median(viaProxy.reused).toFixed(1)} ms vs ${median(direct.reused).toFixed(1)} ms (added ${(median(viaProxy.reused) - median(direct.reused)).toFixed(1)} ms)`,
    );
  } finally {
    gateway.stop();
    await engine.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
