import { createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "@/security/policy";
import { startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";
import type { ExecutionRequest } from "./execution-types";
import { parseNetDevInterfaces } from "./posture";

// Every hostile program is followed by a normal execution in the same project, which must succeed
// and must find no process left over from the hostile one.

let t: TestEngine;
const SECRET = "pantheon-fake-secret-7f3a9c";

beforeAll(async () => {
  process.env.PANTHEON_FAKE_SECRET = SECRET;
  t = await startTestEngine();
  expect(t.engine.status().state).toBe("ready");
});

afterAll(async () => {
  await t?.engine.stop();
});

const run = (projectId: string, command: string, extra: Partial<Extract<ExecutionRequest, { kind: "command" }>> = {}) =>
  t.engine.execute(projectId, { kind: "command", command, ...extra });

async function expectHealthyAfter(projectId: string, forbidden: RegExp[] = []) {
  const after = await run(projectId, "echo still-ok; ps -eo pid=,args=");
  expect(after.status).toBe("success");
  expect(after.output).toContain("still-ok");
  const processes = after.output.split("\n").filter((l) => l.trim() && !l.includes("still-ok"));
  // init, the idle keeper, this run's wrapper and ps itself: nothing else. "runc init" is runc
  // bootstrapping another exec the engine may be starting at this instant (not a user process).
  // With the agent: the agent itself (root, beyond the sandbox user) and its launcher's shell.
  const strangers = processes.filter((l) => !/docker-init|sleep infinity|pantheon-run|pantheon-agent serve|ps -eo|runc init/.test(l));
  expect(strangers).toEqual([]);
  for (const pattern of forbidden) expect(after.output).not.toMatch(pattern);
  await t.engine.releaseProject(projectId);
  return after;
}

describe(`hostile programs under ${testRuntime()}`, () => {
  it("fork bomb: contained by the pids limit and fully killed", async () => {
    const r = await run("fork", ":(){ :|:& };:; sleep 2", { timeoutMs: 5_000 });
    expect(["success", "error", "timeout"]).toContain(r.status);
    await expectHealthyAfter("fork");
  });

  // Under gVisor the pids cgroup counts the Sentry's host threads, so the guest's limit is
  // RLIMIT_NPROC: the agent gives sandbox code a quarter of the container's (the policy's pids), so a
  // fork bomb stops far below the cgroup's wall. Under runc nothing lowers it (it would count every
  // uid-1000 process on the host): sandbox code keeps init's, and the pids cgroup is the limit.
  it("process limit: a quarter of the pids limit as RLIMIT_NPROC under runsc, the cgroup under runc", async () => {
    const r = await run("nproc", "for p in self 1; do awk '/^Max processes/ {print $3}' /proc/$p/limits; done");
    expect(r.status).toBe("success");
    const [own, init] = r.output.trim().split("\n");
    if (testRuntime() === "runsc") expect(own).toBe(String(Math.max(1, Math.floor(DEFAULT_LIMITS.pids / 4))));
    else expect(own).toBe(init);
    await expectHealthyAfter("nproc");
  });

  it("memory bomb: status error, reason oom", async () => {
    const r = await run("mem", `node -e "const a=[]; for(;;) a.push(Buffer.alloc(8*1024*1024, 1))"`, { timeoutMs: 30_000 });
    expect(r.status).toBe("error");
    expect(r.reason, `peak ${r.memoryPeakMb} MiB, exit ${r.exitCode}, ${r.errorOutput.slice(-200)}`).toBe("oom");
    await expectHealthyAfter("mem");
  });

  it("disk fill: the workspace tmpfs stops it; the oversized file is refused by sync, not stored", async () => {
    const r = await run("disk", "dd if=/dev/zero of=fill bs=1M count=400 2>&1; echo dd=$?; echo size=$(wc -c < fill)", { timeoutMs: 30_000 });
    // Stopped by ENOSPC (100 MiB tmpfs) or SIGXFSZ (fsize ulimit), whichever the runtime hits first.
    expect(r.output).toMatch(/dd=[1-9]/);
    expect(Number(/size=(\d+)/.exec(r.output)?.[1])).toBeLessThanOrEqual(100 * 1024 * 1024);
    expect(r.files?.refused).toContainEqual(expect.objectContaining({ path: "fill", reason: "too-large" }));
    expect(t.store.files("disk").has("fill")).toBe(false);
    await expectHealthyAfter("disk");
  });

  it("background processes that ignore SIGTERM and outlive the command are gone afterwards", async () => {
    const r = await run(
      "bg",
      `trap '' TERM HUP; (trap '' TERM HUP; exec -a pantheon-orphan-1 sleep 1000) & setsid bash -c "trap '' TERM HUP; exec -a pantheon-orphan-2 sleep 1000" & nohup bash -c 'exec -a pantheon-orphan-3 sleep 1000' >/dev/null 2>&1 & disown -a; echo launched`,
    );
    expect(r.status).toBe("success");
    expect(r.output).toContain("launched");
    await expectHealthyAfter("bg", [/pantheon-orphan/]);
  });

  it("output flood: output capped with the truncated flag, host memory stays bounded", async () => {
    const before = process.memoryUsage().rss;
    let streamed = 0;
    const r = await t.engine.execute(
      "flood",
      { kind: "command", command: "head -c 30000000 /dev/zero | tr '\\0' x", timeoutMs: 60_000 },
      {
        onEvent: (e) => {
          if (e.type === "stdout" || e.type === "stderr") streamed += e.data.length;
        },
      },
    );
    expect(r.truncated, JSON.stringify({ ...r, output: r.output.slice(0, 300) })).toBe(true);
    // Head (32 KiB) + notice + marker + tail (16 KiB): the flood's middle is cut, its end kept.
    expect(r.output.length).toBeLessThan(48 * 1024 + 300);
    expect(r.output).toMatch(
      /^x{32768}\n\[pantheon: stdout passed 32 KiB: cutting its middle; its last 16 KiB follow\]\n\[pantheon: [\d.]+ MiB \(0 lines\) of stdout cut\]\nx{16384}$/,
    );
    expect(streamed).toBe(r.output.length);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
    await expectHealthyAfter("flood");
  });

  it("infinite loop: killed at the timeout with status timeout", async () => {
    const r = await run("loop", "while :; do :; done", { timeoutMs: 2_000 });
    expect(r.status).toBe("timeout");
    expect(r.durationMs).toBeGreaterThanOrEqual(1_900);
    expect(r.durationMs).toBeLessThan(10_000);
    await expectHealthyAfter("loop");
  });

  it("reading /proc/self/status shows the posture the runtime promises", async () => {
    const r = await run("proc", "grep -E '^(Uid|CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status");
    expect(r.output).toMatch(/^CapEff:\s+0000000000000000$/m);
    expect(r.output).toMatch(/^CapBnd:\s+0000000000000000$/m);
    expect(r.output).toMatch(/^Uid:\s+1000\s/m);
    if (testRuntime() === "runc") {
      expect(r.output).toMatch(/^NoNewPrivs:\s+1$/m);
      expect(r.output).toMatch(/^Seccomp:\s+2$/m);
    }
    await expectHealthyAfter("proc");
  });

  it("setuid / sudo / su / setuid(0) cannot become root", async () => {
    const r = await run(
      "suid",
      [
        "sudo -n id -u; echo sudo=$?",
        "su -c 'id -u' root </dev/null; echo su=$?",
        "cp /bin/bash ./rootbash && chmod 4755 ./rootbash; ./rootbash -p -c 'echo euid=$(id -u)'",
        `node -e "try { process.setuid(0); console.log('setuid-worked') } catch (e) { console.log('setuid=' + e.code) }"`,
        "find / -xdev -perm /6000 -type f 2>/dev/null | head -5 | sed 's/^/suidfile=/'",
      ].join("; "),
    );
    expect(r.output).not.toMatch(/^0$/m);
    expect(r.output).not.toContain("setuid-worked");
    expect(r.output).toContain("euid=1000");
    expect(r.output).toMatch(/setuid=EPERM/);
    expect(r.output).not.toContain("suidfile=");
    expect(r.output).toMatch(/sudo=[1-9]/);
    expect(r.output).toMatch(/su=[1-9]/);
    await expectHealthyAfter("suid");
  });

  it("mount and unshare are refused", async () => {
    const r = await run(
      "mount",
      "mkdir -p m; mount -t tmpfs none m; echo mount=$?; unshare -r true; echo unshare_user=$?; unshare -m true; echo unshare_mnt=$?; unshare -n true; echo unshare_net=$?; " +
        "unshare -r sh -c 'echo x > /etc/pwned' 2>/dev/null; echo userns_write=$?",
    );
    // runc: the seccomp profile refuses namespace creation. gVisor (no OCI seccomp in this build)
    // lets `unshare -r` create a user namespace inside its own kernel; root there is still
    // powerless: the root filesystem stays read-only and nothing reaches the host kernel.
    const ops =
      testRuntime() === "runc"
        ? ["mount", "unshare_user", "unshare_mnt", "unshare_net", "userns_write"]
        : ["mount", "unshare_mnt", "unshare_net", "userns_write"];
    for (const op of ops) {
      const code = Number(new RegExp(`${op}=(\\d+)`).exec(r.output)?.[1]);
      expect(code, `${op}: ${r.output}${r.errorOutput}`).toBeGreaterThan(0);
      expect(code, `${op} binary missing`).not.toBe(127);
    }
    await expectHealthyAfter("mount");
  });

  describe("network", () => {
    let server: Server;
    let port = 0;
    let accepted = 0;
    const hostAddresses = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === "IPv4" && !a.internal)
      .map((a) => a!.address);

    beforeAll(async () => {
      server = createServer((socket) => {
        accepted++;
        socket.end("hello from the host\n");
      });
      await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("only loopback, no route, no DNS, and no way to the host's own addresses", async () => {
      expect(hostAddresses.length).toBeGreaterThan(0);
      const script = `
        const net = require("node:net"), fs = require("node:fs"), dns = require("node:dns");
        // /proc/net/dev, not /sys/class/net: the pinned gVisor has no /sys/class/net under --network=none.
        console.log("netdev=" + JSON.stringify(fs.readFileSync("/proc/net/dev", "utf8")));
        const routes = fs.readFileSync("/proc/net/route", "utf8").trim().split("\\n").slice(1).filter(Boolean);
        console.log("routes=" + routes.length);
        const resolver = new dns.promises.Resolver({ timeout: 1500, tries: 1 });
        resolver.setServers(["172.17.0.1"]);
        const tries = ${JSON.stringify(["172.17.0.1", ...hostAddresses])}.map((host) => new Promise((done) => {
          const s = net.connect({ host, port: ${port}, timeout: 2000 });
          s.on("connect", () => { console.log("connected=" + host); s.destroy(); done(); });
          s.on("error", (e) => { console.log("refused=" + host + ":" + e.code); done(); });
          s.on("timeout", () => { console.log("timeout=" + host); s.destroy(); done(); });
        }));
        tries.push(resolver.resolve4("pantheon.test").then(() => console.log("dns=resolved"), (e) => console.log("dns=failed:" + e.code)));
        Promise.all(tries);
      `;
      const r = await t.engine.execute("net", { kind: "code", language: "node", code: script });
      expect(r.status, r.output + r.errorOutput).toBe("success");
      const netdev = /^netdev=(.*)$/m.exec(r.output)?.[1];
      expect(netdev).toBeDefined();
      expect(parseNetDevInterfaces(JSON.parse(netdev!) as string)).toEqual(["lo"]);
      expect(r.output).toMatch(/^routes=0$/m);
      expect(r.output).not.toContain("connected=");
      expect(r.output).toMatch(/^dns=failed/m);
      expect(accepted).toBe(0);
      await expectHealthyAfter("net");
    });
  });

  it("the host's environment (secrets) is not visible inside", async () => {
    expect(process.env.PANTHEON_FAKE_SECRET).toBe(SECRET);
    const r = await run("env", "env; tr '\\0' '\\n' < /proc/1/environ; grep -r . /proc/*/environ 2>/dev/null | head -100");
    expect(r.status).toBe("success");
    expect(r.output).not.toContain(SECRET);
    expect(r.output).not.toContain("PANTHEON_FAKE_SECRET");
    await expectHealthyAfter("env");
  });

  it("a symlink to /etc/passwd left in the workspace is refused by the sync, never followed", async () => {
    t.store.put("link", "keep.txt", "kept\n");
    const r = await run("link", "ln -s /etc/passwd passwd; ln -s / root; ln -s /etc etcdir; echo real > real.txt");
    expect(r.status).toBe("success");
    expect(r.files?.upserted).toEqual(["real.txt"]);
    expect(r.files?.refused).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "passwd", reason: "symlink" }),
        expect.objectContaining({ path: "root", reason: "symlink" }),
        expect.objectContaining({ path: "etcdir", reason: "symlink" }),
      ]),
    );
    const stored = [...t.store.files("link").values()];
    expect(stored.map((f) => f.path).sort()).toEqual(["keep.txt", "real.txt"]);
    for (const f of stored) expect(Buffer.from(f.content, f.encoding === "base64" ? "base64" : "utf8").toString()).not.toContain("root:x:0:0");
    await expectHealthyAfter("link");
  });
});
