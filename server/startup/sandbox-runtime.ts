import Dockerode from "dockerode";
import type { Logger } from "pino";
import type { Env } from "@/lib/env";
import { missingImages, ensureImages } from "@/sandbox-images/ensure-images";
import type { EngineConfigInput } from "@/server/sandbox/config";
import { createDockerSandboxEngine } from "@/server/sandbox/docker-engine";
import { createKubernetesSandboxEngine } from "@/server/sandbox/kubernetes/kubernetes-engine";
import { DatabaseWorkspaceStore } from "@/server/services/files/database-workspace-store";
import { forgetVanishedContainers, leaseRecorder } from "@/server/services/engine/sandbox-leases";
import { LABEL_SANDBOX } from "@/server/sandbox/driver";
import { dockerNetworkSubnets } from "@/server/egress/docker-subnets";
import { EgressGateway } from "@/server/egress/egress-gateway";
import { projectNetworkPolicy } from "@/server/services/projects/network-policy";
import { publishSandboxEngine } from "@/server/process/app-runtime";
import { claimServerInstance } from "@/server/services/records/server-instance";
import { type DockerStatus, pingDocker } from "@/server/process/docker-ping";
import type { SandboxEngine } from "@/server/sandbox/engine";

export function engineConfigFromEnv(env: Env): EngineConfigInput {
  return {
    runtime: env.SANDBOX_RUNTIME,
    scope: env.SANDBOX_CONTAINER_SCOPE,
    registry: env.SANDBOX_CONTAINER_REGISTRY,
    poolSizePerImage: env.SANDBOX_POOL_SIZE,
    maxConcurrent: env.SANDBOX_MAX_CONCURRENT,
    maxIdleTimeMs: env.SANDBOX_MAX_IDLE_TIME,
    maxUnattendedMs: env.SANDBOX_MAX_UNATTENDED_TIME,
    defaultTimeoutMs: env.SANDBOX_DEFAULT_TIMEOUT * 1000,
    maxTimeoutMs: env.SANDBOX_MAX_TIMEOUT * 1000,
    engineCommandTimeoutMs: env.SANDBOX_ENGINE_COMMAND_TIMEOUT * 1000,
    maxFileSize: env.SANDBOX_MAX_FILE_SIZE,
    maxProjectSize: env.SANDBOX_MAX_PROJECT_SIZE,
    ...(env.SANDBOX_AGENT_SOCKET_DIR === "off"
      ? { agentSocketDir: null }
      : env.SANDBOX_AGENT_SOCKET_DIR
        ? { agentSocketDir: env.SANDBOX_AGENT_SOCKET_DIR }
        : {}),
  };
}

/** The engine as start-up made it, with the Docker status that includes it and the stop that ends both. */
export interface SandboxRuntime {
  engine: SandboxEngine;
  dockerStatus(): Promise<DockerStatus>;
  stop(): Promise<void>;
}

/**
 * Creates the sandbox engine, publishes it in the process registry, and starts it. Missing
 * images are built in the background when this process may (root, for debootstrap); otherwise
 * the log and /api/health say which command to run. The engine retries until they exist.
 */
export async function startSandboxRuntime(env: Env, logger: Logger): Promise<SandboxRuntime> {
  if (env.SANDBOX_DRIVER === "kubernetes") return startKubernetesSandboxRuntime(env, logger);
  const docker = new Dockerode();
  // Projects whose network policy is not "none" reach out only through this proxy (server/egress).
  const egress = new EgressGateway({
    log: logger,
    policyFor: projectNetworkPolicy,
    registryHosts: env.SANDBOX_EGRESS_REGISTRY_HOSTS,
    caFile: env.SANDBOX_EGRESS_CA_FILE || null,
    dockerSubnets: () => dockerNetworkSubnets(docker),
  });
  const leases = leaseRecorder(logger);
  const engine = createDockerSandboxEngine({
    config: {
      ...engineConfigFromEnv(env),
      // Containers carry this server's instance id (server_instances), so a peer's record sweeper
      // can tell a dead instance's containers from a live one's; only that sweeper, which knows
      // the heartbeats, removes another instance's containers (never the boot reaper: the other
      // instance may be alive and serving; services/cluster/SCALE.md).
      instanceId: claimServerInstance().id,
      reapOtherInstances: false,
    },
    store: new DatabaseWorkspaceStore(),
    logger,
    docker,
    egress,
    // Who holds which container, for the running-sandboxes quota (services/sandbox-leases.ts).
    leaseEvents: leases,
  });
  const runtime: SandboxRuntime = {
    engine,
    async dockerStatus() {
      const ping = await pingDocker(docker);
      return { ...ping, engine: engineHealth(engine.status()) };
    },
    stop: async () => {
      await engine.stop();
      // The stop's releases are recorded before the database (stopped after this) goes away.
      await leases.settled();
      egress.stop();
    },
  };
  publishSandboxEngine({ engine, dockerStatus: () => runtime.dockerStatus() });
  void buildMissingImages(docker, env, logger);
  await engine.start();
  void forgetDeadHolders(docker, logger);
  return runtime;
}

/** What the health report shows of the engine, whichever driver runs it. */
function engineHealth(status: ReturnType<SandboxEngine["status"]>) {
  const { state, runtime, posture, pool, activeExecutions, missingImages, lastError } = status;
  return { state, runtime, posture, pool, activeExecutions, missingImages, lastError };
}

/**
 * Rows that still name a container from before a crash or restart (the boot reaper removed it)
 * would charge their holders forever: forget every container Docker no longer has. Every scope's
 * sandbox containers count as alive, so another deployment sharing the database keeps its rows.
 */
async function forgetDeadHolders(docker: Dockerode, logger: Logger): Promise<void> {
  try {
    const alive = await docker.listContainers({ all: true, filters: { label: [`${LABEL_SANDBOX}=1`] } });
    await forgetVanishedContainers(
      alive.map((c) => c.Id),
      logger,
    );
  } catch (err) {
    logger.warn({ err: err instanceof Error ? err.message : err }, "could not reconcile recorded containers with Docker");
  }
}

async function buildMissingImages(docker: Dockerode, env: Env, logger: Logger): Promise<void> {
  try {
    const { missing, command } = await missingImages(docker, env.SANDBOX_CONTAINER_REGISTRY);
    if (!missing.length) return;
    const tags = missing.map((m) => m.tag).join(", ");
    if (process.getuid?.() !== 0) {
      logger.warn({ images: tags }, `sandbox images missing: run \`${command}\` (as root)`);
      return;
    }
    logger.info({ images: tags }, "building missing sandbox images in the background (a few minutes on first start)");
    await ensureImages({ registry: env.SANDBOX_CONTAINER_REGISTRY, docker, log: (line: string) => logger.info({ images: tags }, line) });
  } catch (e) {
    logger.error({ err: e instanceof Error ? e.message : String(e) }, "could not build the sandbox images: run `npm run images` and read its output");
  }
}

/**
 * SANDBOX_DRIVER=kubernetes: sandboxes are pods in SANDBOX_K8S_NAMESPACE. No image builds (the
 * nodes pull from SANDBOX_CONTAINER_REGISTRY). Egress goes through the same gateway as on Docker,
 * from the app's pod: besides its fixed refusals (private ranges, this host's addresses) it refuses
 * the cluster's own ranges named in SANDBOX_K8S_CLUSTER_CIDRS (pods and services outside RFC 1918).
 */
async function startKubernetesSandboxRuntime(env: Env, logger: Logger): Promise<SandboxRuntime> {
  const egress = new EgressGateway({
    log: logger,
    policyFor: projectNetworkPolicy,
    registryHosts: env.SANDBOX_EGRESS_REGISTRY_HOSTS,
    caFile: env.SANDBOX_EGRESS_CA_FILE || null,
    dockerSubnets: () => Promise.resolve(env.SANDBOX_K8S_CLUSTER_CIDRS),
  });
  const leases = leaseRecorder(logger);
  const engine = createKubernetesSandboxEngine({
    config: engineConfigFromEnv(env),
    kubernetes: {
      namespace: env.SANDBOX_K8S_NAMESPACE,
      runtimeClassName: env.SANDBOX_K8S_RUNTIME_CLASS,
      seccompLocalhostProfile: env.SANDBOX_K8S_SECCOMP_PROFILE,
    },
    store: new DatabaseWorkspaceStore(),
    logger,
    leaseEvents: leases,
    egress,
  });
  const runtime: SandboxRuntime = {
    engine,
    dockerStatus() {
      const status = engine.status();
      // The engine pings the API server itself (and retries): its state is the back end's health.
      return Promise.resolve({
        status: status.state === "ready" ? "up" : "unavailable",
        driver: "kubernetes",
        engine: engineHealth(status),
      });
    },
    stop: async () => {
      await engine.stop();
      await leases.settled();
      egress.stop();
    },
  };
  publishSandboxEngine({ engine, dockerStatus: () => runtime.dockerStatus() });
  await engine.start();
  return runtime;
}
