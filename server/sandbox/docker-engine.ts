import Dockerode from "dockerode";
import type { Logger } from "pino";
import type { EgressConnector } from "./egress";
import { resolveLimits } from "../../security/policy";
import { appArmorProfileIfLoaded, loadSeccompProfileText } from "../../security/profiles";
import { agentSocketBase, parseEngineConfig, imageFor, type EngineConfig, type EngineConfigInput } from "./config";
import { buildContainerSpec } from "./container-spec";
import { agentSocketHostDir, prepareAgentSocketDir } from "./agent/agent-socket";
import { DockerDriver } from "./docker-driver";
import { LABEL_INSTANCE, LABEL_SANDBOX, LABEL_SCOPE } from "./driver";
import { SandboxEngine } from "./engine";
import type { LeaseEvents } from "./pool";
import { runPostureCheck } from "./posture";
import type { WorkspaceStore } from "./workspace-files";

export interface DockerEngineOptions {
  config?: EngineConfigInput;
  store: WorkspaceStore;
  logger: Logger;
  /** Defaults to the local socket (DOCKER_HOST is honoured by docker-modem). */
  docker?: Dockerode;
  /** The app's egress proxy; without it every project behaves as network policy "none". */
  egress?: EgressConnector;
  /** Bind and release notices (the app records who holds each container). */
  leaseEvents?: LeaseEvents;
}

/** The Docker driver applying the hardened spec from security/ (resolved once from the config). */
export function createDockerDriver(config: EngineConfig, docker: Dockerode, logger: Logger) {
  const limits = resolveLimits(config.limits);
  const seccompProfile = config.seccompProfile ?? loadSeccompProfileText();
  const apparmorProfile = config.apparmorProfile === undefined ? appArmorProfileIfLoaded() : config.apparmorProfile;
  const log = logger.child({ component: "docker-driver" });
  const socketBase = agentSocketBase(config);
  // The agent's socket directory exists before its container (a bind source must); the engine
  // listens in it when it starts the agent and removes it once the agent connected (agent-socket.ts).
  const socketDirFor = (name: string | undefined): string | null => {
    if (socketBase === null || name === undefined) return null;
    const dir = agentSocketHostDir(socketBase, config.instanceId, name);
    try {
      prepareAgentSocketDir(dir, socketBase);
      return dir;
    } catch (err) {
      log.warn({ err, dir }, "no agent socket directory: the agent is reached over its exec's stream");
      return null;
    }
  };
  const driver = new DockerDriver(
    docker,
    (request) =>
      buildContainerSpec({
        agentSocketDir: socketDirFor(request.name),
        image: request.image,
        runtime: config.runtime,
        limits,
        labels: request.labels,
        ...(request.name ? { name: request.name } : {}),
        seccompProfile,
        apparmorProfile,
        ...(request.env ? { env: request.env } : {}),
      }),
    log,
  );
  return { driver, limits, seccompProfile, apparmorProfile };
}

/** Wires the engine to Docker with the hardened spec and posture check from security/. */
export function createDockerSandboxEngine(options: DockerEngineOptions): SandboxEngine {
  const config = parseEngineConfig(options.config);
  const docker = options.docker ?? new Dockerode();
  const { driver, limits, seccompProfile, apparmorProfile } = createDockerDriver(config, docker, options.logger);
  return new SandboxEngine({
    config,
    driver,
    store: options.store,
    logger: options.logger,
    ...(options.egress ? { egress: options.egress } : {}),
    ...(options.leaseEvents ? { leaseEvents: options.leaseEvents } : {}),
    postureCheck: async () => {
      const result = await runPostureCheck({
        docker,
        image: imageFor(config, "node"),
        runtime: config.runtime,
        seccompProfile,
        apparmorProfile,
        limits,
        // Labelled like our containers so the boot reaper removes it if we crash mid-check.
        labels: { [LABEL_SANDBOX]: "1", [LABEL_SCOPE]: config.scope, [LABEL_INSTANCE]: config.instanceId },
      });
      return { ok: result.ok, runtime: result.runtime, checks: result.checks };
    },
  });
}
