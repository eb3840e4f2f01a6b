// Network policies on the real engine (runc and runsc): the egress tunnel, the in-process proxy and
// the real npm registry. Traffic goes only to this machine's own addresses and to the registry;
// every other destination is refused at the proxy (its decision log shows no connection attempt).
import { lookup } from "node:dns/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import Dockerode from "dockerode";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";
import type { NetworkPolicy } from "./address-policy";
import { dockerNetworkSubnets } from "./docker-subnets";
import type { EgressDecision } from "./egress-proxy";
import { EgressGateway } from "./egress-gateway";

const runtime = testRuntime();
const docker = new Dockerode();
const policies = new Map<string, NetworkPolicy>();
const decisions: EgressDecision[] = [];
const logLines: Record<string, unknown>[] = [];
const policyLookups: string[] = [];
let t: TestEngine;
let gateway: EgressGateway;
let hostServer: http.Server;
let hostPort = 0;
let hostHits = 0;
let bridgeIp = "";
// The registry's address as this host resolves it (on this machine a TEST-NET address).
let registryIp = "";
// This host's own non-loopback IPv4 addresses (eth0...): public-looking or not, refused.
const hostIps = Object.values(networkInterfaces())
  .flatMap((l) => l ?? [])
  .filter((i) => i.family === "IPv4" && !i.internal)
  .map((i) => i.address);

// Unique per run: the test engine's containers are per project id.
const run = `${runtime}-${process.pid}-${Date.now()}`;
const REG = `reg-${run}`;
const OTHER = `other-${run}`;
const NONE = `none-${run}`;
const OPEN = `open-${run}`;
const PY = `py-${run}`;

beforeAll(async () => {
  // A server on every host address (0.0.0.0): the sandbox must not reach it by any of them.
  hostServer = http.createServer((_req, res) => {
    hostHits++;
    res.end("host secret\n");
  });
  await new Promise<void>((resolve) => hostServer.listen(0, "0.0.0.0", resolve));
  hostPort = (hostServer.address() as AddressInfo).port;
  registryIp = (await lookup("registry.npmjs.org", { family: 4 })).address;
  const bridge = await docker.getNetwork("bridge").inspect();
  bridgeIp = (bridge as { IPAM: { Config: { Gateway?: string }[] } }).IPAM.Config[0]?.Gateway ?? "172.17.0.1";

  gateway = new EgressGateway({
    log: pino({ level: "info" }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) }),
    policyFor: async (id) => {
      policyLookups.push(id);
      return policies.get(id) ?? "none";
    },
    caFile: process.env.SANDBOX_EGRESS_CA_FILE ?? "/etc/ssl/certs/ca-certificates.crt",
    dockerSubnets: () => dockerNetworkSubnets(docker),
    onDecision: (d) => decisions.push(d),
  });
  t = await startTestEngine({ postureCheck: false, warmImages: ["node"], maxConcurrent: 10, defaultTimeoutMs: 120_000, maxIdleTimeMs: 600_000 }, docker, {
    egress: gateway,
  });
  policies.set(REG, "registry");
  policies.set(OTHER, "registry");
  policies.set(NONE, "none");
  policies.set(OPEN, "open");
  policies.set(PY, "registry");
});

afterAll(async () => {
  gateway?.stop();
  await t?.engine.stop();
  await new Promise((resolve) => hostServer?.close(resolve));
});

const exec = (projectId: string, command: string, timeoutMs = 60_000, image: "node" | "python" = "node") =>
  t.engine.execute(projectId, { kind: "command", command, timeoutMs, image }, { network: policies.get(projectId) ?? "none" });

/** Node code run in the container: CONNECTs (or plain GETs, with the URL's Host or `host`) through the proxy, prints JSON results. */
function probeScript(targets: { connect?: string; get?: string; host?: string }[]): string {
  const json = JSON.stringify(targets);
  if (json.includes("'")) throw new Error("targets must not contain single quotes");
  return `TARGETS='${json}' node -e '
const http = require("http");
const one = (t) => new Promise((resolve) => {
  const timer = setTimeout(() => resolve("TIMEOUT"), 20000);
  const done = (v) => { clearTimeout(timer); resolve(v); };
  const req = t.connect
    ? http.request({ host: "127.0.0.1", port: 3128, method: "CONNECT", path: t.connect })
    : http.request({ agent: false, host: "127.0.0.1", port: 3128, path: t.get, headers: { host: t.host || new URL(t.get).host } });
  req.on("connect", (res, socket, head) => {
    if (res.statusCode === 200) { socket.destroy(); return done("200"); }
    let body = String(head); socket.on("data", (d) => body += d);
    socket.on("end", () => done(res.statusCode + " " + body.trim())); socket.on("error", () => done(res.statusCode + " " + body.trim()));
  });
  req.on("response", (res) => { let body = ""; res.on("data", (d) => body += d); res.on("end", () => done(res.statusCode + " " + body.trim())); });
  req.on("error", (e) => done("ERR " + e.code));
  req.end();
});
(async () => { const out = []; for (const t of JSON.parse(process.env.TARGETS)) out.push(await one(t)); console.log(JSON.stringify(out)); })();
'`;
}

describe(`network policy "registry" (${runtime})`, () => {
  it("npm install is-number works through the tunnel and the proxy (real registry)", async () => {
    const started = Date.now();
    // A package.json, as every template has (without one npm would pick "/" as the project root).
    const r = await exec(
      REG,
      'echo \'{"name":"p","version":"1.0.0"}\' > package.json && npm install is-number --no-audit --no-fund --loglevel=error && node -e \'console.log(require("is-number")(42))\'',
      180_000,
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`[egress ${runtime}] npm install is-number through the proxy: ${seconds.toFixed(1)} s`);
    expect(r.errorOutput).not.toContain("ERR!");
    expect(r.exitCode, r.errorOutput).toBe(0);
    expect(r.output).toContain("true");
    expect(r.files?.upserted).toEqual(expect.arrayContaining(["package.json", "package-lock.json"]));
    // The proxy logged its decisions for this project: only the registry host, allowed.
    const mine = decisions.filter((d) => d.projectId === REG);
    expect(mine.length).toBeGreaterThan(0);
    // Each tunnel passed the SNI check: npm's TLS names the registry.
    expect(mine.every((d) => d.allowed && d.host === "registry.npmjs.org" && d.port === 443 && d.serverName === "registry.npmjs.org")).toBe(true);
    expect(logLines.some((l) => l.msg === "egress allowed" && l.projectId === REG && l.host === "registry.npmjs.org")).toBe(true);
  });

  it("npm install in a workspace without package.json installs there (not into the image's read-only /node_modules)", async () => {
    const fresh = `${REG}-empty`;
    // test -f, not ls: coreutils' statx is refused (EINVAL) under gVisor.
    policies.set(fresh, "registry");
    const r = await exec(
      fresh,
      "npm install is-number --no-audit --no-fund --loglevel=error && for f in node_modules/is-number/package.json package.json; do test -f $f && echo $f; done && node -e 'console.log(require(\"is-number\")(7))'",
      180_000,
    );
    expect(r.exitCode, r.errorOutput).toBe(0);
    expect(r.output).toMatch(/node_modules\/is-number\/package\.json\npackage\.json\ntrue\n$/);
    // The preinstalled libraries are still found from /workspace.
    const lodash = await exec(fresh, "node -e 'console.log(require(\"lodash\").sum([1, 2]))'");
    expect(lodash.output).toBe("3\n");
  });

  it("executions get the proxy and CA environment; the container still has no interface but lo and no resolver", async () => {
    const r = await exec(
      REG,
      `echo "proxy=$HTTPS_PROXY npm=$npm_config_https_proxy ca=$NODE_EXTRA_CA_CERTS"; grep -c BEGIN "$NODE_EXTRA_CA_CERTS"; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; getent hosts registry.npmjs.org || echo no-dns`,
    );
    expect(r.output).toContain("proxy=http://127.0.0.1:3128 npm=http://127.0.0.1:3128 ca=/tmp/.pantheon/ca.pem");
    const lines = r.output.trim().split("\n");
    expect(Number(lines[1])).toBeGreaterThan(0);
    expect(lines.slice(2)).toEqual(["lo", "no-dns"]);
  });

  it("reaches nothing else: host ports, loopback, private and metadata addresses, other domains, other ports", async () => {
    const before = decisions.length;
    const r = await exec(
      REG,
      probeScript([
        { connect: `${bridgeIp}:${hostPort}` },
        { connect: `127.0.0.1:${hostPort}` },
        { connect: `localhost:${hostPort}` },
        { connect: `${bridgeIp}:443` },
        { connect: "10.0.0.1:443" },
        { connect: "192.168.1.1:443" },
        { connect: "169.254.169.254:443" },
        { connect: "0xA9FEA9FE:443" },
        { connect: "[fd00:ec2::254]:443" },
        { connect: "example.com:443" },
        { connect: "registry.npmjs.org:22" },
        { connect: "registry.npmjs.org.attacker.example:443" },
        { get: "http://169.254.169.254/latest/meta-data/" },
        { get: `http://${bridgeIp}:${hostPort}/` },
        { connect: "registry.npmjs.org:443" },
      ]),
    );
    expect(r.exitCode, r.errorOutput).toBe(0);
    const results = JSON.parse(r.output) as string[];
    expect(
      results.slice(0, -1).every((s) => s.startsWith("403 pantheon egress proxy:")),
      JSON.stringify(results),
    ).toBe(true);
    expect(results.at(-1)).toBe("200");
    // Refused at the proxy, before any connection: no lookup for the refused names, no hit on the host.
    // (The last tunnel closed before sending a ClientHello: nothing to decide about it.)
    const mine = decisions.slice(before, before + 14);
    expect(mine.every((d) => d.projectId === REG && !d.allowed && d.address === null)).toBe(true);
    expect(mine.find((d) => d.host === "example.com")?.reason).toBe("registry policy: example.com is not an allowed registry host");
    expect(mine.find((d) => d.port === 22)?.reason).toContain("port 22 is not allowed");
    expect(hostHits).toBe(0);
    // The first refusals of a window are logged one by one (the rest are summarized: see the throttle test).
    const refusedLogs = logLines.filter((l) => l.msg === "egress refused" && l.projectId === REG);
    expect(refusedLogs.length).toBeGreaterThanOrEqual(10);
  });

  it("the registry only by its name: CONNECT to port 80, a TLS name other than the registry's, no TLS name, a Host naming another site", async () => {
    const project = `${REG}-names`;
    policies.set(project, "registry");
    const before = decisions.length;
    const r = await exec(
      project,
      `${probeScript([
        { connect: "registry.npmjs.org:80" },
        { get: "http://registry.npmjs.org/is-number", host: "example.com" },
        { get: "http://registry.npmjs.org/is-number", host: "registry.npmjs.org:8080" },
      ])}; node -e '
const http = require("http"), tls = require("tls");
const viaTunnel = (servername) => new Promise((resolve) => {
  const req = http.request({ host: "127.0.0.1", port: 3128, method: "CONNECT", path: "registry.npmjs.org:443" });
  req.on("connect", (res, socket) => {
    if (res.statusCode !== 200) return resolve("CONNECT " + res.statusCode);
    const s = tls.connect({ socket, servername }, () => { resolve("TLS OK " + s.authorized); s.destroy(); });
    s.on("error", (e) => resolve("TLS ERR " + (e.code || e.message)));
  });
  req.on("error", (e) => resolve("ERR " + e.code));
  req.end();
});
(async () => console.log(JSON.stringify([await viaTunnel("registry.npmjs.org"), await viaTunnel("example.com"), await viaTunnel("")])))();'`,
    );
    expect(r.exitCode, r.errorOutput).toBe(0);
    const [probes, tlsResults] = r.output
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as string[]);
    expect(probes).toEqual([
      "403 pantheon egress proxy: registry policy: CONNECT only to port 443 (TLS), not 80",
      '400 pantheon egress proxy: Host header "example.com" does not match the request target registry.npmjs.org:80',
      '400 pantheon egress proxy: Host header "registry.npmjs.org:8080" does not match the request target registry.npmjs.org:80',
    ]);
    // The registry's own name completes a verified handshake; the others get the proxy's TLS alert.
    expect(tlsResults).toEqual(["TLS OK true", "TLS ERR ERR_SSL_TLSV1_UNRECOGNIZED_NAME", "TLS ERR ERR_SSL_TLSV1_UNRECOGNIZED_NAME"]);
    const mine = decisions.slice(before).filter((d) => d.projectId === project);
    expect(mine.map((d) => [d.method, d.port, d.allowed, d.serverName ?? null, d.reason])).toEqual([
      ["CONNECT", 80, false, null, "registry policy: CONNECT only to port 443 (TLS), not 80"],
      ["GET", 0, false, null, expect.stringContaining('Host header "example.com" does not match')],
      ["GET", 0, false, null, expect.stringContaining('Host header "registry.npmjs.org:8080" does not match')],
      ["CONNECT", 443, true, "registry.npmjs.org", "allowed"],
      ["CONNECT", 443, false, "example.com", "TLS server name example.com is not registry.npmjs.org"],
      ["CONNECT", 443, false, null, "TLS ClientHello without a server name (SNI); registry policy needs registry.npmjs.org"],
    ]);
  });

  it("refusals are throttled per project: a loop of refused CONNECTs gets 429 after the budget, its log is summarized, the policy is looked up per tunnel, not per connection", async () => {
    const project = `${REG}-flood`;
    policies.set(project, "registry");
    await exec(project, "true"); // container and tunnel up
    const lookupsBefore = policyLookups.filter((id) => id === project).length;
    const started = Date.now();
    const r = await exec(
      project,
      `node -e '
const http = require("http");
const one = () => new Promise((resolve) => {
  const req = http.request({ host: "127.0.0.1", port: 3128, method: "CONNECT", path: "example.com:443" });
  req.on("connect", (res, socket) => { socket.destroy(); resolve(res.statusCode); });
  req.on("error", (e) => resolve(e.code));
  req.end();
});
(async () => { const out = {}; for (let i = 0; i < 120; i++) { const s = await one(); out[s] = (out[s] || 0) + 1; } console.log(JSON.stringify(out)); })();'`,
    );
    expect(r.exitCode, r.errorOutput).toBe(0);
    const counts = JSON.parse(r.output) as Record<string, number>;
    // 51 decided refusals spend the budget of 50 per 10 s; the rest are answered 429 at once.
    expect(counts["403"]).toBeGreaterThanOrEqual(51);
    expect(counts["429"]).toBeGreaterThan(0);
    expect((counts["403"] ?? 0) + (counts["429"] ?? 0)).toBe(120);
    // At most the per-window quota (10) of individual lines per 10 s window the loop spanned.
    const windows = Math.ceil((Date.now() - started) / 10_000) + 1;
    const individual = logLines.filter((l) => l.msg === "egress refused" && l.projectId === project);
    expect(individual.length).toBeGreaterThanOrEqual(10);
    expect(individual.length).toBeLessThanOrEqual(10 * windows);
    // One lookup per tunnel per 5 s, not 120.
    expect(policyLookups.filter((id) => id === project).length - lookupsBefore).toBeLessThanOrEqual(6);
    // The summary comes at the end of the window.
    const deadline = Date.now() + 15_000;
    while (!logLines.some((l) => l.msg === "egress refusals throttled" && l.projectId === project) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 250));
    const summary = logLines.find((l) => l.msg === "egress refusals throttled" && l.projectId === project);
    expect(summary).toMatchObject({ projectId: project, windowSeconds: 10 });
    expect((summary!.suppressedRefusals as number) + (summary!.throttledConnections as number)).toBeGreaterThan(50);
  });

  it("direct connections (no proxy) fail: the host by its bridge address, the registry's address", async () => {
    const r = await exec(
      REG,
      `node -e '
const net = require("net");
const tryConnect = (host, port) => new Promise((resolve) => {
  const s = net.connect({ host, port }); s.setTimeout(5000, () => { s.destroy(); resolve("TIMEOUT"); });
  s.on("connect", () => { s.destroy(); resolve("CONNECTED"); }); s.on("error", (e) => resolve(e.code));
});
(async () => console.log(JSON.stringify([await tryConnect("${bridgeIp}", ${hostPort}), await tryConnect("${registryIp}", 443), await tryConnect("127.0.0.1", ${hostPort})])))();'`,
    );
    const results = JSON.parse(r.output) as string[];
    expect(results[0]).toMatch(/^(ENETUNREACH|EHOSTUNREACH|ENETDOWN)$/);
    expect(results[1]).toMatch(/^(ENETUNREACH|EHOSTUNREACH|ENETDOWN)$/);
    expect(results[2]).toBe("ECONNREFUSED"); // the container's own loopback, not the host's
    expect(hostHits).toBe(0);
  });

  it("cannot reach another sandbox: its loopback services are in another network namespace, and the proxy refuses loopback", async () => {
    // The other project runs a server on its own loopback (and has its own tunnel).
    const spawned = await t.engine.spawn(OTHER, {
      image: "node",
      argv: ["node", "-e", 'require("net").createServer((s) => s.end("other sandbox\\n")).listen(4700, "127.0.0.1"); setInterval(() => {}, 1000)'],
      network: "registry",
    });
    try {
      const r = await exec(
        REG,
        `node -e 'const s = require("net").connect(4700, "127.0.0.1"); s.on("data", (d) => console.log("GOT", String(d))); s.on("error", (e) => console.log(e.code));'; ${probeScript([{ connect: "127.0.0.1:4700" }, { connect: "127.0.0.1:443" }, { connect: "localhost:443" }])}`,
      );
      expect(r.output).toContain("ECONNREFUSED");
      expect(r.output).not.toContain("GOT");
      const results = JSON.parse(r.output.split("\n")[1]!) as string[];
      expect(results).toEqual([
        "403 pantheon egress proxy: port 4700 is not allowed (only 443, 80)",
        "403 pantheon egress proxy: registry policy: IP addresses are not allowed, only registry host names",
        "403 pantheon egress proxy: localhost is this host",
      ]);
    } finally {
      await spawned.kill();
    }
  });

  it("the sandbox's code cannot stop the listener (the agent's, another uid); a spawned process gets the proxy environment too", async () => {
    // "[p]" keeps the pattern from matching this shell's own command line.
    const kept = await exec(
      REG,
      'pkill -9 -f "[p]antheon-agent" || echo not-permitted; (echo > /dev/tcp/127.0.0.1/3128) 2>/dev/null && echo still-listening || echo gone',
    );
    expect(kept.output).toBe("not-permitted\nstill-listening\n");
    const again = await exec(REG, probeScript([{ connect: "registry.npmjs.org:443" }]));
    expect(again.output.trim()).toBe('["200"]');
    const p = await t.engine.spawn(REG, { image: "node", argv: ["sh", "-c", 'echo "spawn-proxy=$HTTPS_PROXY"'], network: "registry" });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    await p.exited;
    expect(out).toContain("spawn-proxy=http://127.0.0.1:3128");
  });

  it("a process squatting the proxy port before the network starts makes it fail clearly, and it recovers once the port is free", async () => {
    const project = `${REG}-squat`;
    // Policy none first: nothing listens, so the sandbox's own code can take the port.
    await t.engine.execute(project, { kind: "command", command: "true" }, { network: "none" });
    policies.set(project, "registry");
    const squatter = await t.engine.spawn(project, {
      image: "node",
      argv: ["node", "-e", 'require("net").createServer().listen(3128, "127.0.0.1", () => console.log("squatting"))'],
    });
    await new Promise<void>((resolve) => squatter.stdout.once("data", () => resolve()));
    const refused = await exec(project, "echo ran");
    expect(refused).toMatchObject({ status: "error", errorCode: "INTERNAL", output: "" });
    expect(refused.errorOutput).toContain("the network tunnel could not start: cannot listen on port 3128 in the container (already in use?)");
    await squatter.kill();
    const again = await exec(project, probeScript([{ connect: "registry.npmjs.org:443" }]));
    expect(again.output.trim()).toBe('["200"]');
  });

  it("a spawn without a network option leaves the egress listener alone", async () => {
    await exec(REG, "true");
    const probe = async () => {
      const p = await t.engine.spawn(REG, {
        image: "node",
        argv: ["bash", "-c", '(echo > /dev/tcp/127.0.0.1/3128) 2>/dev/null && echo listening || echo closed; echo "[$HTTPS_PROXY]"'],
      });
      let out = "";
      p.stdout.on("data", (d: Buffer) => (out += d.toString()));
      await p.exited;
      return out;
    };
    expect(await probe()).toBe("listening\n[]\n");
    expect(await probe()).toBe("listening\n[]\n");
  });

  it("switching the project to none closes its listener and drops the environment", async () => {
    policies.set(REG, "none");
    try {
      const r = await exec(REG, `echo "proxy=[$HTTPS_PROXY]"; (echo > /dev/tcp/127.0.0.1/3128) 2>/dev/null && echo listening || echo closed`);
      expect(r.output).toBe("proxy=[]\nclosed\n");
    } finally {
      policies.set(REG, "registry");
    }
  });
});

describe(`network policy "registry" in the python image (${runtime})`, () => {
  it("pip goes through the proxy to PyPI's hosts (this machine cannot reach PyPI, so only the proxy's decision is checked)", async () => {
    const before = decisions.length;
    const r = await exec(
      PY,
      // In a venv: Debian's pip refuses the (read-only anyway) system site-packages (PEP 668).
      'echo "proxy=$PIP_PROXY cert=$PIP_CERT"; python3 -m venv .venv && timeout 60 .venv/bin/pip install --retries 0 --timeout 10 six >/dev/null 2>&1; echo done',
      120_000,
      "python",
    );
    expect(r.output).toBe("proxy=http://127.0.0.1:3128 cert=/tmp/.pantheon/ca.pem\ndone\n");
    const mine = decisions.slice(before).filter((d) => d.projectId === PY);
    // Past the allowlist: allowed, or (here, where pypi.org does not even resolve) refused only for that.
    expect(mine[0]).toMatchObject({ method: "CONNECT", host: "pypi.org", port: 443, policy: "registry" });
    expect(mine[0]?.allowed || mine[0]?.reason.startsWith("cannot resolve pypi.org")).toBe(true);
  });
});

describe(`network policy "none" (${runtime})`, () => {
  it("reaches nothing: no proxy environment, no tunnel, no interface but lo, no DNS", async () => {
    const before = decisions.length;
    const r = await exec(
      NONE,
      `env | grep -i -E "proxy|ca_cert|cafile" || echo no-proxy-env; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; getent hosts registry.npmjs.org || echo no-dns; (echo > /dev/tcp/127.0.0.1/3128) 2>/dev/null && echo listening || echo no-tunnel; ls /tmp/.pantheon 2>/dev/null || echo no-ca`,
    );
    expect(r.output).toBe("no-proxy-env\nlo\nno-dns\nno-tunnel\nno-ca\n");
    const npm = await exec(NONE, "timeout 20 npm view is-number version --fetch-retries=0 --fetch-timeout=5000 2>&1; echo rc=$?");
    expect(npm.output).not.toMatch(/^\d+\.\d+\.\d+$/m);
    expect(npm.output).toMatch(/rc=[1-9]/);
    expect(decisions.slice(before).filter((d) => d.projectId === NONE)).toEqual([]);
    expect(hostHits).toBe(0);
  });
});

describe(`network policy "open" (${runtime})`, () => {
  it("reaches public destinations (the registry, by name or by address) but never private, metadata or host addresses", async () => {
    const r = await exec(
      OPEN,
      probeScript([
        { connect: "registry.npmjs.org:443" },
        { connect: `${registryIp}:443` },
        { connect: "169.254.169.254:443" },
        { connect: "2852039166:443" },
        { connect: `${bridgeIp}:443` },
        ...hostIps.map((ip) => ({ connect: `${ip}:443` })),
        { connect: "100.64.0.1:443" },
        { connect: "registry.npmjs.org:8080" },
      ]),
    );
    expect(r.exitCode, r.errorOutput).toBe(0);
    const results = JSON.parse(r.output) as string[];
    expect(results.slice(0, 2)).toEqual(["200", "200"]);
    expect(
      results.slice(2).every((s) => s.startsWith("403 ")),
      JSON.stringify(results),
    ).toBe(true);
    const view = await exec(OPEN, "npm view is-number version --loglevel=error");
    expect(view.output.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(hostHits).toBe(0);
  });
});
