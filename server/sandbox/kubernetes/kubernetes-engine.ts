// SANDBOX_DRIVER=kubernetes: the engine over KubernetesDriver instead of Docker. Same engine,
// pool and agent client; only the driver and its configuration differ.
import { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { resolveLimits } from "../../../security/policy";
import { parseEngineConfig, type EngineConfigInput } from "../config";
import type { EgressConnector } from "../egress";
import { SandboxEngine } from "../engine";
import type { LeaseEvents } from "../pool";
import type { WorkspaceStore } from "../workspace-files";
import { KubernetesDriverConfigSchema, type KubernetesDriverConfigInput } from "./kubernetes-config";
import { KubernetesDriver } from "./kubernetes-driver";

export interface KubernetesEngineOptions {
  config?: EngineConfigInput;
  kubernetes?: KubernetesDriverConfigInput;
  store: WorkspaceStore;
  logger: Logger;
  /** Defaults to the in-cluster ServiceAccount, else KUBECONFIG / ~/.kube/config (the library's order). */
  kubeConfig?: KubeConfig;
  leaseEvents?: LeaseEvents;
  /**
   * The app's egress proxy; without it every project behaves as network policy "none". A pod's
   * own network is closed by the default-deny policy: its agent listens on the pod's loopback and
   * hands each connection over the exec stream to this proxy, as on Docker (lease-network.ts).
   */
  egress?: EgressConnector;
}

export function defaultKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

export function createKubernetesDriver(options: Pick<KubernetesEngineOptions, "config" | "kubernetes" | "logger" | "kubeConfig">) {
  const config = parseEngineConfig(options.config);
  const driver = new KubernetesDriver({
    kubeConfig: options.kubeConfig ?? defaultKubeConfig(),
    config: KubernetesDriverConfigSchema.parse(options.kubernetes ?? {}),
    limits: resolveLimits(config.limits),
    log: options.logger.child({ component: "kubernetes-driver" }),
  });
  return { config, driver };
}

/**
 * No posture check yet: the Docker one probes a fresh container with Docker-specific
 * expectations (runtime name, CapAdd for the agent); a pod-side probe is future work
 * (deploy/kubernetes/NODES.md says what a node must give). Egress and previews go through the pod's agent, as on Docker: the engine's
 * LeaseNetwork (listener) and connectPort (forward) know no driver.
 */
export function createKubernetesSandboxEngine(options: KubernetesEngineOptions): SandboxEngine {
  const { config, driver } = createKubernetesDriver(options);
  return new SandboxEngine({
    config,
    driver,
    store: options.store,
    logger: options.logger,
    ...(options.leaseEvents ? { leaseEvents: options.leaseEvents } : {}),
    ...(options.egress ? { egress: options.egress } : {}),
  });
}
