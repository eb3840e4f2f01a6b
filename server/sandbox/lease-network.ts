import type { Logger } from "pino";
import { SANDBOX_USER } from "./container-scripts";
import type { EngineOperation } from "./deadline";
import type { SandboxDriver } from "./driver";
import { listenThroughAgent } from "./agent-net";
import { EGRESS_CA_PATH, EGRESS_PORT, egressEnv, type EgressConnector, type NetworkPolicy } from "./egress";
import { SandboxError } from "./errors";
import type { EgressTunnel } from "./lease-state";
import type { Lease } from "./pool";

/**
 * Egress connections one container may have open at once; more wait unclaimed in the agent (which
 * closes them after 10 s). Each is an agent stream, and the agent connection has 256 for everything.
 */
const MAX_EGRESS_CONNECTIONS = 64;

/** What the network set-up needs from the engine (it owns leases, deadlines and spawning). */
export interface LeaseNetworkDeps {
  driver: SandboxDriver;
  log: Logger;
  /** The app's egress proxy; without it every project runs as policy "none". */
  egress: EgressConnector | undefined;
  /** Runs one engine step in the lease's container under its deadline (engine.guard). */
  guard<T>(lease: Lease, operation: EngineOperation, work: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/**
 * Makes a leased container's network match its project's policy: for a policy other than "none",
 * a live egress listener (the agent accepts on the proxy port and hands each connection to the
 * app's proxy) and the proxy environment; for "none", neither (a listener left from an earlier
 * policy is closed, so nothing listens on the port). The state is the lease's `egress` field;
 * the engine calls `prepare` under the project lock.
 */
export class LeaseNetwork {
  constructor(private readonly deps: LeaseNetworkDeps) {}

  /**
   * The environment for `policy` when the container's network already matches it (no listener to
   * start or stop), else null: `prepare` must run, under the project lock.
   */
  readyEnv(lease: Lease, policy: NetworkPolicy): Record<string, string> | null {
    const current = lease.state.egress;
    if (policy === "none" || !this.deps.egress) return current ? null : {};
    return current ? egressEnv(current.withCa) : null;
  }

  /** Starts or stops the listener as `policy` needs; returns the environment for processes. */
  async prepare(projectId: string, lease: Lease, policy: NetworkPolicy): Promise<Record<string, string>> {
    const { egress, log } = this.deps;
    const current = lease.state.egress;
    if (policy === "none" || !egress) {
      if (policy !== "none") log.warn({ projectId, policy }, "no egress proxy configured: running without network");
      if (current) {
        lease.state.egress = null;
        await current.listener.close();
        log.info({ projectId, containerId: lease.container.id }, "egress listener closed (policy none)");
      }
      return {};
    }
    if (current) return egressEnv(current.withCa);
    const entry = await this.startTunnel(projectId, lease, egress);
    lease.state.egress = entry;
    void entry.listener.closed.then((err) => {
      // Started again lazily by the next execution or spawn of a project with network.
      if (lease.state.egress === entry) lease.state.egress = null;
      if (err && !lease.dead) log.warn({ projectId, containerId: lease.container.id, err: err.message }, "egress listener ended");
    });
    log.info({ projectId, containerId: lease.container.id, policy }, "egress listener started");
    return egressEnv(entry.withCa);
  }

  private async startTunnel(projectId: string, lease: Lease, egress: EgressConnector): Promise<EgressTunnel> {
    const { driver, log } = this.deps;
    const containerId = lease.container.id;
    const agent = lease.container.agent;
    if (!agent) throw new SandboxError("INTERNAL", "the network cannot start: the container has no agent");
    const ca = await egress.caBundle();
    if (ca) {
      // The sandbox user owns this copy; changing it only changes what their own programs trust.
      await this.deps.guard(lease, "write", (signal) =>
        driver.exec(containerId, {
          cmd: ["sh", "-c", `umask 022 && mkdir -p "\${1%/*}" && cat > "$1"`, "pantheon-ca", EGRESS_CA_PATH],
          user: SANDBOX_USER,
          stdin: ca,
          signal,
        }),
      );
    }
    const session = await egress.session(projectId);
    try {
      const listener = await this.deps.guard(lease, "spawn", (signal) =>
        listenThroughAgent(agent, EGRESS_PORT, (socket) => session.handle(socket), {
          maxConnections: MAX_EGRESS_CONNECTIONS,
          signal,
          lost: lease.died.signal,
          // The internet answering a program is not a user action: it keeps output, not use, fresh.
          activity: { input: () => (lease.lastOutputAt = Date.now()), output: () => (lease.lastOutputAt = Date.now()) },
          onRefused: (why) => log.warn({ projectId, containerId, why }, "egress connection refused"),
        }),
      );
      void listener.closed.then(() => session.close());
      return { listener, withCa: ca !== null };
    } catch (err) {
      session.close();
      const detail = err instanceof Error ? err.message : String(err);
      log.error({ projectId, containerId, detail }, "egress listener failed to start");
      throw new SandboxError("INTERNAL", `the network tunnel could not start: ${detail.slice(0, 200)}`);
    }
  }
}
