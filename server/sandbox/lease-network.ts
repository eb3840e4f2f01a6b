import type { Logger } from "pino";
import { SANDBOX_USER } from "./container-scripts";
import type { EngineOperation } from "./deadline";
import type { SandboxDriver } from "./driver";
import { EGRESS_CA_PATH, EGRESS_PORT, egressEnv, TUNNEL_BINARY, type EgressConnector, type NetworkPolicy } from "./egress";
import { SandboxError } from "./errors";
import type { EgressTunnel } from "./lease-state";
import type { Lease } from "./pool";
import type { SandboxProcess } from "./spawned-process";

/** How long a fresh tunnel may take to report that it listens. */
const EGRESS_READY_TIMEOUT_MS = 15_000;

/** What the network set-up needs from the engine (it owns leases, deadlines and spawning). */
export interface LeaseNetworkDeps {
  driver: SandboxDriver;
  log: Logger;
  /** The app's egress proxy; without it every project runs as policy "none". */
  egress: EgressConnector | undefined;
  /** Runs one engine step in the lease's container under its deadline (engine.guard). */
  guard<T>(lease: Lease, operation: EngineOperation, work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Starts a kept root in the lease's container (engine.spawnIn). */
  spawnTunnel(projectId: string, lease: Lease, argv: string[]): Promise<SandboxProcess>;
}

/**
 * Makes a leased container's network match its project's policy: for a policy other than "none",
 * a live egress tunnel (a kept root carrying connections to the app's proxy) and the proxy
 * environment; for "none", neither (a tunnel left from an earlier policy is stopped). The state
 * is the lease's `egress` field; the engine calls `prepare` under the project lock.
 */
export class LeaseNetwork {
  constructor(private readonly deps: LeaseNetworkDeps) {}

  /**
   * The environment for `policy` when the container's network already matches it (no tunnel to
   * start or stop), else null: `prepare` must run, under the project lock.
   */
  readyEnv(lease: Lease, policy: NetworkPolicy): Record<string, string> | null {
    const current = lease.state.egress;
    if (policy === "none" || !this.deps.egress) return current ? null : {};
    return current ? egressEnv(current.withCa) : null;
  }

  /** Starts or stops the tunnel as `policy` needs; returns the environment for processes. */
  async prepare(projectId: string, lease: Lease, policy: NetworkPolicy): Promise<Record<string, string>> {
    const { egress, log } = this.deps;
    const current = lease.state.egress;
    if (policy === "none" || !egress) {
      if (policy !== "none") log.warn({ projectId, policy }, "no egress proxy configured: running without network");
      if (current) {
        lease.state.egress = null;
        await current.process.kill();
        log.info({ projectId, containerId: lease.container.id }, "egress tunnel stopped (policy none)");
      }
      return {};
    }
    if (current) return egressEnv(current.withCa);
    const entry = await this.startTunnel(projectId, lease, egress);
    lease.state.egress = entry;
    void entry.process.exited.then(({ exitCode }) => {
      // Restarted lazily by the next execution or spawn of a project with network.
      if (lease.state.egress === entry) lease.state.egress = null;
      if (!lease.dead) log.warn({ projectId, containerId: lease.container.id, exitCode }, "egress tunnel exited");
    });
    log.info({ projectId, containerId: lease.container.id, policy, pid: entry.process.pid }, "egress tunnel started");
    return egressEnv(entry.withCa);
  }

  private async startTunnel(projectId: string, lease: Lease, egress: EgressConnector): Promise<EgressTunnel> {
    const { driver, log } = this.deps;
    const containerId = lease.container.id;
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
    const tunnel = await this.deps.spawnTunnel(projectId, lease, [TUNNEL_BINARY, "listen", String(EGRESS_PORT)]);
    const stderr: Buffer[] = [];
    tunnel.stderr.on("data", (b: Buffer) => {
      if (stderr.length < 16) stderr.push(b);
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        egress.attach(projectId, tunnel),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("the tunnel did not start in time")), EGRESS_READY_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      await tunnel.kill();
      const detail = Buffer.concat(stderr).toString("utf8").trim() || (err instanceof Error ? err.message : String(err));
      log.error({ projectId, containerId, detail }, "egress tunnel failed to start");
      throw new SandboxError("INTERNAL", `the network tunnel could not start: ${detail.slice(0, 200)}`);
    } finally {
      clearTimeout(timer);
    }
    return { process: tunnel, withCa: ca !== null };
  }
}
