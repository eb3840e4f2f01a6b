import Dockerode from "dockerode";
import pino from "pino";
import { setAppRuntime } from "@/server/runtime/app-runtime";
import { pingDocker } from "@/server/runtime/docker-ping";
import { createDockerSandboxEngine } from "@/server/sandbox/docker-engine";
import type { EngineConfigInput } from "@/server/sandbox/config";
import { DatabaseWorkspaceStore } from "@/server/services/database-workspace-store";

/**
 * The app's real wiring for tests: the Docker engine over the database-backed workspace store,
 * published as the process runtime so services find it as they do in the server.
 */
export async function startAppEngine(config: EngineConfigInput = {}) {
  const docker = new Dockerode();
  const engine = createDockerSandboxEngine({
    config: {
      runtime: process.env.SANDBOX_RUNTIME === "runsc" ? "runsc" : "runc",
      scope: "test",
      reapOtherInstances: false,
      poolSizePerImage: 1,
      warmImages: ["node"],
      maxConcurrent: 6,
      defaultTimeoutMs: 30_000,
      limits: { memoryBytes: 256 * 1024 * 1024 },
      ...config,
    },
    store: new DatabaseWorkspaceStore(),
    logger: pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" }),
    docker,
  });
  setAppRuntime({ engine, dockerStatus: () => pingDocker(docker), stop: () => engine.stop() });
  await engine.start();
  return { engine, docker };
}
