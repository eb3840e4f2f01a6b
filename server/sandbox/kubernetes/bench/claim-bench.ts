// `npm run bench:k8s-claim` (issue 13 point 5): claim latency, request → ready sandbox, p50/p95,
// from a warm pool beside the cold path (no warm pod), in the same run. A script: it prints,
// asserts nothing.
//
// Two levels, each warm and cold:
//   driver  warm: claim() of a Ready warm pod (read + guarded replace);
//           cold: create() + start() of a pod for the project (until Running and Ready).
//           Needs only the pod API: works against kube-apiserver with kwok as the node.
//   engine  the first execution of `true` in a new project, as a user meets it: the pool's claim
//           (or a cold pod, its readiness wait and its agent started over exec v5), the empty
//           workspace loaded, `true` run through the agent. Printed beside an execution in an
//           already-bound pod, the part that is not the claim. Needs exec (a real kubelet, or the
//           fake's pods).
//
// Where the API server is (reusable against a real one):
//   default                the in-process fake (test/support), its pods the real Go agent as uid 1000
//   BENCH_K8S_URL=https://…   with BENCH_K8S_TOKEN, and BENCH_K8S_CA_FILE or BENCH_K8S_INSECURE=1
//   BENCH_K8S_KUBECONFIG=1    KUBECONFIG / ~/.kube/config / in-cluster, the library's order
// Other knobs: BENCH_ROUNDS (20), BENCH_K8S_LEVELS (driver,engine on the fake; driver elsewhere),
// BENCH_K8S_NAMESPACE (pantheon-sandboxes), BENCH_K8S_RUNTIME_CLASS, BENCH_K8S_POLL_MS (the
// driver's readiness poll, 250 as shipped), BENCH_K8S_IMAGE, BENCH_PORT (fake: first port tried, 3680),
// BENCH_K8S_FAKE_READY_MS (fake: a pod turns Ready this long after its create, standing in for
// scheduling, image pull and container start; 0 = at once, which no kubelet does).
import { readFileSync } from "node:fs";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import pino from "pino";
import { buildAgent } from "@/sandbox-images/agent";
import { FakeKubeApiServer } from "@/test/support/fake-kube-apiserver";
import { FakePodProcesses } from "@/test/support/fake-kube-pods";
import { MemoryWorkspaceStore } from "@/test/support/memory-workspace-store";
import { imageFor, parseEngineConfig } from "../../config";
import { LABEL_INSTANCE, LABEL_PROJECT, LABEL_SANDBOX, LABEL_SCOPE } from "../../driver";
import type { SandboxEngine } from "../../engine";
import { stats } from "../../bench/sample-stats";
import type { KubernetesDriverConfigInput } from "../kubernetes-config";
import { ANNOTATION_CLAIM, type KubernetesDriver } from "../kubernetes-driver";
import { createKubernetesDriver, createKubernetesSandboxEngine } from "../kubernetes-engine";

export type ClaimBenchLevel = "driver" | "engine";

export interface ClaimBenchOptions {
  kubeConfig: KubeConfig;
  rounds: number;
  levels: readonly ClaimBenchLevel[];
  kubernetes: KubernetesDriverConfigInput;
  image?: string;
  /** Where the API server is, for the heading. */
  target: string;
  print?: (line: string) => void;
}

export interface ClaimBenchRow {
  level: ClaimBenchLevel;
  path: string;
  samples: number[];
}

const logger = pino({ level: process.env.BENCH_LOG ?? "silent" });
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function until(check: () => boolean, what: string, limitMs = 120_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Warm: N pods created and made ready untimed, then each claimed (timed). Cold: create + ready, timed. */
async function driverLevel(options: ClaimBenchOptions, run: string): Promise<ClaimBenchRow[]> {
  const config = parseEngineConfig({ scope: "k8s-claim-bench", instanceId: run, reapOtherInstances: false });
  const { driver } = createKubernetesDriver({ config, kubernetes: options.kubernetes, logger, kubeConfig: options.kubeConfig });
  const image = options.image ?? imageFor(config, "node");
  const labels = { [LABEL_SANDBOX]: "1", [LABEL_SCOPE]: "k8s-claim-bench", [LABEL_INSTANCE]: run };
  await driver.ping();
  const made: string[] = [];
  try {
    const warm: string[] = [];
    for (let i = 0; i < options.rounds; i++) {
      const id = await driver.create({ image, labels, name: `${run}-warm-${i}` });
      made.push(id);
      warm.push(id);
    }
    await Promise.all(warm.map((id) => driver.start(id)));
    const claims: number[] = [];
    for (const [i, id] of warm.entries())
      claims.push(await timed(() => driver.claim(id, { projectId: `bench-w${i}`, name: `${run}-p-w${i}`, instanceId: run })));
    const cold: number[] = [];
    for (let i = 0; i < options.rounds; i++)
      cold.push(
        await timed(async () => {
          const id = await driver.create({ image, labels: { ...labels, [LABEL_PROJECT]: `bench-c${i}` }, name: `${run}-cold-${i}` });
          made.push(id);
          await driver.start(id);
        }),
      );
    return [
      { level: "driver", path: "warm: claim of a ready pod", samples: claims },
      { level: "driver", path: "cold: create + wait until ready", samples: cold },
    ];
  } finally {
    await cleanUp(driver, made);
  }
}

async function cleanUp(driver: KubernetesDriver, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 10) await Promise.allSettled(ids.slice(i, i + 10).map((id) => driver.destroy(id)));
}

function engineFor(options: ClaimBenchOptions, run: string, warm: number): SandboxEngine {
  return createKubernetesSandboxEngine({
    config: {
      scope: "k8s-claim-bench",
      instanceId: run,
      poolSizePerImage: warm,
      warmImages: ["node"],
      maxConcurrent: options.rounds + 2,
      defaultTimeoutMs: 60_000,
      reapOtherInstances: false,
      ...(options.image ? { images: { node: options.image } } : {}),
    },
    kubernetes: options.kubernetes,
    store: new MemoryWorkspaceStore(),
    logger,
    kubeConfig: options.kubeConfig,
  });
}

async function firstRun(engine: SandboxEngine, projectId: string): Promise<{ ms: number; pod: string }> {
  let status = "";
  let error = "";
  let pod = "";
  const t = await timed(async () => {
    const r = await engine.execute(projectId, { kind: "command", command: "true", timeoutMs: 60_000 });
    status = r.status;
    error = r.errorOutput;
    pod = r.containerId ?? "";
  });
  if (status !== "success") throw new Error(`execution in ${projectId} failed: ${error}`);
  return { ms: t, pod };
}

/**
 * Warm: a full pool before each claim (the claim is measured, not the refill), N new projects.
 * Cold: a pool of size 0, N new projects. Bound: a second execution in each cold project.
 */
async function engineLevel(options: ClaimBenchOptions, run: string): Promise<ClaimBenchRow[]> {
  const warmTarget = Math.min(options.rounds, 10);
  const warmEngine = engineFor(options, `${run}-w`, warmTarget);
  const warm: number[] = [];
  let warmHits = 0;
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const namespace = options.kubernetes.namespace ?? "pantheon-sandboxes";
  try {
    await warmEngine.start();
    for (let i = 0; i < options.rounds; i++) {
      await until(() => (warmEngine.status().pool.warm.node ?? 0) >= warmTarget, "a full warm pool");
      const { ms: took, pod } = await firstRun(warmEngine, `bench-warm-${i}`);
      warm.push(took);
      // A pod claimed from the pool carries its claim's token; one created for the project does not.
      const read = await core.readNamespacedPod({ name: pod, namespace });
      if (read.metadata?.annotations?.[ANNOTATION_CLAIM]) warmHits++;
    }
  } finally {
    await warmEngine.stop();
  }
  const coldEngine = engineFor(options, `${run}-c`, 0);
  const cold: number[] = [];
  const bound: number[] = [];
  try {
    await coldEngine.start();
    for (let i = 0; i < options.rounds; i++) {
      cold.push((await firstRun(coldEngine, `bench-cold-${i}`)).ms);
      bound.push((await firstRun(coldEngine, `bench-cold-${i}`)).ms);
    }
  } finally {
    await coldEngine.stop();
  }
  return [
    { level: "engine", path: `warm: first execution, pod claimed from the pool (${warmHits}/${options.rounds} took a warm pod)`, samples: warm },
    { level: "engine", path: "cold: first execution, pod created, ready, agent started", samples: cold },
    { level: "engine", path: "bound: next execution in the same pod (not claim)", samples: bound },
  ];
}

export async function benchClaims(options: ClaimBenchOptions): Promise<ClaimBenchRow[]> {
  const print = options.print ?? ((line: string) => console.log(line));
  const run = `claim-bench-${process.pid}-${Date.now().toString(36)}`;
  print(
    `k8s claim bench: target=${options.target} rounds=${options.rounds} levels=${options.levels.join(",")} namespace=${options.kubernetes.namespace ?? "pantheon-sandboxes"} poll=${options.kubernetes.pollIntervalMs ?? 250} ms${options.kubernetes.runtimeClassName ? ` runtimeClass=${options.kubernetes.runtimeClassName}` : ""}`,
  );
  const rows: ClaimBenchRow[] = [];
  for (const level of options.levels) {
    const got = level === "driver" ? await driverLevel(options, run) : await engineLevel(options, run);
    for (const row of got) {
      const s = stats(row.samples);
      print(`${row.level.padEnd(6)} ${row.path}: p50 ${ms(s.median)} p95 ${ms(s.p95)} (n=${row.samples.length})`);
    }
    rows.push(...got);
  }
  return rows;
}

function kubeConfigFromEnv(): { kubeConfig: KubeConfig; target: string } | null {
  const url = process.env.BENCH_K8S_URL;
  if (url) {
    const kc = new KubeConfig();
    const caFile = process.env.BENCH_K8S_CA_FILE;
    kc.loadFromOptions({
      clusters: [
        {
          name: "bench",
          server: url,
          skipTLSVerify: process.env.BENCH_K8S_INSECURE === "1",
          ...(caFile ? { caData: readFileSync(caFile).toString("base64") } : {}),
        },
      ],
      users: [{ name: "bench", ...(process.env.BENCH_K8S_TOKEN ? { token: process.env.BENCH_K8S_TOKEN } : {}) }],
      contexts: [{ name: "bench", cluster: "bench", user: "bench" }],
      currentContext: "bench",
    });
    return { kubeConfig: kc, target: url };
  }
  if (process.env.BENCH_K8S_KUBECONFIG === "1") {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    return { kubeConfig: kc, target: kc.getCurrentCluster()?.server ?? "kubeconfig" };
  }
  return null;
}

async function main(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 20);
  const real = kubeConfigFromEnv();
  const levels = (process.env.BENCH_K8S_LEVELS ?? (real ? "driver" : "driver,engine")).split(",").map((l) => l.trim()) as ClaimBenchLevel[];
  const kubernetes: KubernetesDriverConfigInput = {
    namespace: process.env.BENCH_K8S_NAMESPACE ?? "pantheon-sandboxes",
    pollIntervalMs: Number(process.env.BENCH_K8S_POLL_MS ?? 250),
    ...(process.env.BENCH_K8S_RUNTIME_CLASS ? { runtimeClassName: process.env.BENCH_K8S_RUNTIME_CLASS } : {}),
  };
  const image = process.env.BENCH_K8S_IMAGE;
  if (real) {
    await benchClaims({ kubeConfig: real.kubeConfig, target: real.target, rounds, levels, kubernetes, ...(image ? { image } : {}) });
    return;
  }
  const first = Number(process.env.BENCH_PORT ?? 3680);
  const readyMs = Number(process.env.BENCH_K8S_FAKE_READY_MS ?? 0);
  const pods = new FakePodProcesses(await buildAgent(() => {}));
  const api = await FakeKubeApiServer.start({
    ports: Array.from({ length: 10 }, (_, i) => first + i),
    onExec: pods.onExec,
    readiness: readyMs > 0 ? { afterMs: readyMs } : "immediate",
  });
  try {
    const target = `fake API server (in-process, 127.0.0.1:${api.port}, pods Ready ${readyMs > 0 ? `${readyMs} ms after create` : "at once"})`;
    await benchClaims({ kubeConfig: api.kubeConfig(), target, rounds, levels, kubernetes });
  } finally {
    await api.close();
    pods.cleanup();
  }
}

if (process.argv[1]?.endsWith("claim-bench.ts")) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
