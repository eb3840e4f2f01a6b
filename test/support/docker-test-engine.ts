// Shared set-up for *.docker.test.ts: a real engine on the real Docker engine, small and fast.
import Dockerode from "dockerode";
import pino from "pino";
import type { EngineConfigInput } from "@/server/sandbox/config";
import { createDockerSandboxEngine } from "@/server/sandbox/docker-engine";
import type { EgressConnector } from "@/server/sandbox/egress";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { MemoryWorkspaceStore } from "@/test/support/memory-workspace-store";

export const MiB = 1024 * 1024;

export function testRuntime(): "runc" | "runsc" {
  const runtime = process.env.SANDBOX_RUNTIME ?? "runc";
  if (runtime !== "runc" && runtime !== "runsc") throw new Error(`SANDBOX_RUNTIME must be runc or runsc, got ${runtime}`);
  return runtime;
}

export interface TestEngine {
  engine: SandboxEngine;
  store: MemoryWorkspaceStore;
  docker: Dockerode;
}

export async function startTestEngine(config: EngineConfigInput = {}, docker = new Dockerode(), extra: { egress?: EgressConnector } = {}): Promise<TestEngine> {
  const store = new MemoryWorkspaceStore();
  const engine = createDockerSandboxEngine({
    config: {
      runtime: testRuntime(),
      // Apart from the app and its e2e server, and from one another: docker test files may run
      // beside an e2e run, so by default no test engine reaps at boot.
      scope: "test",
      reapOtherInstances: false,
      poolSizePerImage: 1,
      warmImages: ["node"],
      maxConcurrent: 4,
      maxOutputBytes: 64 * 1024,
      defaultTimeoutMs: 20_000,
      limits: { memoryBytes: 256 * MiB },
      retryInitialMs: 100,
      retryMaxMs: 1_000,
      // The images under test (SANDBOX_CONTAINER_REGISTRY), as the app reads them.
      ...(process.env.SANDBOX_CONTAINER_REGISTRY ? { registry: process.env.SANDBOX_CONTAINER_REGISTRY } : {}),
      ...config,
    },
    store,
    logger: pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" }),
    docker,
    ...(extra.egress ? { egress: extra.egress } : {}),
  });
  await engine.start();
  return { engine, store, docker };
}

/** Polls until the predicate holds (pool refills happen in the background). */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
