// `npm run bench:agent` (BENCH_RUNTIMES=runc,runsc, BENCH_ROUNDS=n): p50/p95 of `true` run
// through pantheon-agent (Start → Exited over one long-lived connection) beside a raw
// `docker exec` of `true` in the same container, per runtime, and the floors under it inside the
// container: what one system call costs, and what one fork+exec of `/bin/true` costs (wall and the
// container's CPU) beside the container's CPU per run through the agent. A script: it prints,
// asserts nothing.
import Dockerode from "dockerode";
import pino from "pino";
import { defaultRegistry, imageTag } from "../../../sandbox-images/image-inputs";
import { AgentConnection } from "../agent/agent-connection";
import { checkedProcessEvents } from "../agent/agent-events";
import { parseEngineConfig } from "../config";
import { SANDBOX_USER } from "../container-spec";
import { createDockerDriver } from "../docker-engine";
import { containersCpuNs } from "./container-cpu";
import { stats } from "./sample-stats";

const rounds = Number(process.env.BENCH_ROUNDS ?? 50);
const runtimes = (process.env.BENCH_RUNTIMES ?? "runc,runsc").split(",").map((r) => r.trim()) as ("runc" | "runsc")[];
const docker = new Dockerode();
const logger = pino({ level: process.env.BENCH_LOG ?? "silent" });
const image = imageTag(defaultRegistry(), "node");

async function time(n: number, fn: () => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

async function rawExecTrue(container: Dockerode.Container): Promise<void> {
  const exec = await container.exec({ Cmd: ["true"], AttachStdout: true, AttachStderr: true, User: SANDBOX_USER });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("error", reject);
    stream.resume();
  });
  await exec.inspect();
}

async function agentTrue(connection: AgentConnection, i: number): Promise<void> {
  for await (const e of checkedProcessEvents(
    connection.process.start({ id: `bench-${i}`, command: { case: "argv", value: { args: ["true"] } } }, { timeoutMs: 30_000 }),
  )) {
    if (e.type === "exited" && e.exited.exitCode !== 0) throw new Error(`true exited ${e.exited.exitCode}`);
  }
}

/** Wall time of a process the agent ran, as it measured it (µs, start to exit). */
async function agentRunMicros(connection: AgentConnection, id: string, args: string[]): Promise<number> {
  let micros = 0;
  for await (const e of checkedProcessEvents(connection.process.start({ id, command: { case: "argv", value: { args } } }, { timeoutMs: 60_000 }))) {
    if (e.type === "exited") micros = Number(e.exited.durationMicros);
  }
  return micros;
}

/**
 * What one system call costs inside the container: `dd bs=1` of 20,000 bytes makes 40,000 reads
 * and writes more than `dd count=0`, both started the same way. Under gVisor it is the floor under
 * every figure here: each run of `echo 1` makes a few hundred (the program and the agent).
 */
async function syscallMicros(connection: AgentConnection): Promise<number> {
  const dd = (count: number, i: number) =>
    agentRunMicros(connection, `bench-dd-${count}-${i}`, ["dd", "if=/dev/zero", "of=/dev/null", "bs=1", `count=${count}`]);
  const full: number[] = [];
  const empty: number[] = [];
  for (let i = 0; i < 5; i++) {
    full.push(await dd(20_000, i));
    empty.push(await dd(0, i));
  }
  return (stats(full).median - stats(empty).median) / 40_000;
}

const SPAWNS = 200;

/**
 * One fork+exec of `/bin/true` from a shell inside the container, wall (as the agent timed the loop)
 * and the container's CPU: a loop of SPAWNS runs less the same loop with the builtin `:`. No run
 * through the agent can cost less than this; under gVisor it is most of a run (issue 11 point 8).
 */
async function spawnFloor(connection: AgentConnection, id: string): Promise<{ wallMicros: number; cpuMicros: number | null }> {
  const loop = (body: string, i: number) =>
    agentRunMicros(connection, `bench-spawn-${body}-${i}`, ["bash", "-c", `for i in $(seq ${SPAWNS}); do ${body}; done`]);
  const measure = async (body: string, i: number) => {
    const before = containersCpuNs([id]);
    const micros = await loop(body, i);
    const after = containersCpuNs([id]);
    return { micros, cpuMicros: before === null || after === null ? null : (after - before) / 1000 };
  };
  const spawns: { micros: number; cpuMicros: number | null }[] = [];
  const empties: { micros: number; cpuMicros: number | null }[] = [];
  for (let i = 0; i < 3; i++) {
    spawns.push(await measure("/bin/true", i));
    empties.push(await measure(":", i));
  }
  const median = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : stats(xs as number[]).median);
  const cpuSpawn = median(spawns.map((s) => s.cpuMicros));
  const cpuEmpty = median(empties.map((s) => s.cpuMicros));
  return {
    wallMicros: (stats(spawns.map((s) => s.micros)).median - stats(empties.map((s) => s.micros)).median) / SPAWNS,
    cpuMicros: cpuSpawn === null || cpuEmpty === null ? null : (cpuSpawn - cpuEmpty) / SPAWNS,
  };
}

async function bench(runtime: "runc" | "runsc") {
  const config = parseEngineConfig({ runtime, postureCheck: false, instanceId: `agent-bench-${process.pid}`, scope: "bench", reapOtherInstances: false });
  const { driver } = createDockerDriver(config, docker, logger);
  const id = await driver.create({ image, labels: { "org.pantheon-sandbox.test": `agent-bench-${process.pid}` } });
  try {
    await driver.start(id);
    const connection = await AgentConnection.start(driver, id, { log: logger, helloTimeoutMs: 30_000 });
    const container = docker.getContainer(id);
    let i = 0;
    // Warm both paths (page cache, the agent's first fork), then interleave so drift hits both.
    await time(5, () => agentTrue(connection, i++));
    await time(5, () => rawExecTrue(container));
    const agent: number[] = [];
    const raw: number[] = [];
    let agentCpuNs: number | null = 0;
    for (let r = 0; r < rounds; r++) {
      const before = containersCpuNs([id]);
      agent.push(...(await time(1, () => agentTrue(connection, i++))));
      const after = containersCpuNs([id]);
      agentCpuNs = agentCpuNs === null || before === null || after === null ? null : agentCpuNs + after - before;
      raw.push(...(await time(1, () => rawExecTrue(container))));
    }
    // The transport alone (no process): what the host side and h2 cost per call.
    const hello = stats(await time(rounds, async () => void (await connection.agent.hello({}))));
    const syscall = await syscallMicros(connection);
    const spawn = await spawnFloor(connection, id);
    connection.close();
    const a = stats(agent);
    const b = stats(raw);
    const ms = (x: number) => `${x.toFixed(2)} ms`;
    const cpuMs = (ns: number | null) => (ns === null ? "unreadable" : ms(ns));
    console.log(
      `${runtime}: agent true Start→Exited p50 ${ms(a.median)} p95 ${ms(a.p95)} | raw docker exec true p50 ${ms(b.median)} p95 ${ms(b.p95)} | ratio p50 ${(a.median / b.median).toFixed(3)} | agent Hello round trip p50 ${ms(hello.median)} p95 ${ms(hello.p95)} | one system call inside ${syscall.toFixed(2)} µs`,
    );
    console.log(
      `${runtime}: one fork+exec of /bin/true inside (a shell loop of ${SPAWNS}) ${ms(spawn.wallMicros / 1000)} wall, ${cpuMs(spawn.cpuMicros === null ? null : spawn.cpuMicros / 1000)} of the container's CPU | the container's CPU per agent true run (mean) ${cpuMs(agentCpuNs === null ? null : agentCpuNs / 1e6 / rounds)}`,
    );
  } finally {
    await driver.destroy(id);
  }
}

async function main() {
  console.log(`agent bench: runtimes=${runtimes.join(",")} rounds=${rounds} image=${image}`);
  for (const runtime of runtimes) await bench(runtime);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
