import Dockerode from "dockerode";
import pino from "pino";
import { publishSandboxEngine } from "@/server/process/app-runtime";
import { pingDocker } from "@/server/process/docker-ping";
import { createDockerSandboxEngine } from "@/server/sandbox/docker-engine";
import type { EngineConfigInput } from "@/server/sandbox/config";
import { DatabaseWorkspaceStore } from "@/server/services/files/database-workspace-store";
import { leaseRecorder } from "@/server/services/engine/sandbox-leases";
import { dockerNetworkSubnets } from "@/server/egress/docker-subnets";
import { EgressGateway } from "@/server/egress/egress-gateway";
import type { EgressDecision } from "@/server/egress/egress-proxy";
import { projectNetworkPolicy } from "@/server/services/projects/network-policy";

/**
 * The app's real wiring for tests: the Docker engine over the database-backed workspace store,
 * published as the process runtime so services find it as they do in the server.
 */
export async function startAppEngine(config: EngineConfigInput = {}, opts: { onEgressDecision?: (d: EgressDecision) => void } = {}) {
  const docker = new Dockerode();
  const logger = pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" });
  // As the server wires it (server/startup/sandbox-runtime.ts): policies read from the database.
  const egress = new EgressGateway({
    log: logger,
    policyFor: projectNetworkPolicy,
    caFile: "/etc/ssl/certs/ca-certificates.crt",
    dockerSubnets: () => dockerNetworkSubnets(docker),
    ...(opts.onEgressDecision ? { onDecision: opts.onEgressDecision } : {}),
  });
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
      // Images built from this checkout under another prefix (SANDBOX_CONTAINER_REGISTRY=… npm run images).
      ...(process.env.SANDBOX_CONTAINER_REGISTRY ? { registry: process.env.SANDBOX_CONTAINER_REGISTRY } : {}),
      ...config,
    },
    store: new DatabaseWorkspaceStore(),
    logger,
    docker,
    egress,
    leaseEvents: leaseRecorder(logger),
  });
  publishSandboxEngine({ engine, dockerStatus: () => pingDocker(docker) });
  await engine.start();
  return { engine, docker, egress };
}
