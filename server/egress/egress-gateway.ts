// The app side of every project's egress listener: each connection the container makes to the
// proxy port arrives (through its agent, one stream each) and goes to the in-process proxy, tagged
// with the project it came from. Implements the engine's EgressConnector; the runtime wires the
// project's policy lookup in (the database).
import { readFile } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import type { Logger } from "pino";
import type { Duplex } from "node:stream";
import type { EgressConnector, EgressSession } from "@/server/sandbox/egress";
import { DEFAULT_REGISTRY_HOSTS, HostAddressSet, type NetworkPolicy } from "./address-policy";
import { type EgressDecision, EgressProxy, type EgressProxyOptions } from "./egress-proxy";

export interface EgressGatewayOptions {
  log: Logger;
  policyFor: (projectId: string) => Promise<NetworkPolicy>;
  registryHosts?: readonly string[];
  /** PEM bundle for the containers to trust; null/"" = none (the images' own stores). */
  caFile?: string | null;
  /** Subnets of this host's Docker networks (bridges may use any range, even public ones). */
  dockerSubnets?: () => Promise<string[]>;
  /** Replaces DNS resolution (tests). */
  resolve?: (host: string) => Promise<string[]>;
  /** Replaces the TCP connection to a checked address (tests: a local upstream). */
  dial?: EgressProxyOptions["dial"];
  /** Overrides the refusal throttle's limits (tests). */
  throttle?: EgressProxyOptions["throttle"];
  onDecision?: (decision: EgressDecision) => void;
}

const HOST_ADDRESSES_TTL_MS = 10_000;

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((i) => i.address);
}

export class EgressGateway implements EgressConnector {
  private readonly proxy: EgressProxy;
  private readonly log: Logger;
  private hostSet = new HostAddressSet(interfaceAddresses());
  private hostSetAt = 0;
  private subnets: string[] = [];
  private subnetsLoaded: Promise<void> | null = null;
  private ca: Promise<Buffer | null> | null = null;
  private readonly sessions = new Set<EgressSession>();

  constructor(private readonly opts: EgressGatewayOptions) {
    this.log = opts.log.child({ component: "egress" });
    this.proxy = new EgressProxy({
      log: this.log,
      policyFor: opts.policyFor,
      registryHosts: opts.registryHosts ?? DEFAULT_REGISTRY_HOSTS,
      hostAddresses: () => this.hostAddresses(),
      ...(opts.resolve ? { resolve: opts.resolve } : {}),
      ...(opts.dial ? { dial: opts.dial } : {}),
      ...(opts.throttle ? { throttle: opts.throttle } : {}),
      ...(opts.onDecision ? { onDecision: opts.onDecision } : {}),
    });
  }

  /** Interfaces are re-read every few seconds (a new bridge or address counts at once after). */
  private hostAddresses(): HostAddressSet {
    if (Date.now() - this.hostSetAt > HOST_ADDRESSES_TTL_MS) {
      this.hostSet = new HostAddressSet(interfaceAddresses(), this.subnets);
      this.hostSetAt = Date.now();
      void this.refreshSubnets();
    }
    return this.hostSet;
  }

  private refreshSubnets(): Promise<void> {
    const load = this.opts.dockerSubnets;
    if (!load) return Promise.resolve();
    return load().then(
      (subnets) => {
        this.subnets = subnets;
        this.hostSet = new HostAddressSet(interfaceAddresses(), subnets);
      },
      (err: unknown) => this.log.warn({ err: err instanceof Error ? err.message : String(err) }, "could not list Docker networks"),
    );
  }

  async caBundle(): Promise<Buffer | null> {
    const file = this.opts.caFile;
    if (!file) return null;
    this.ca ??= readFile(file).then(
      (pem) => (pem.includes("-----BEGIN CERTIFICATE-----") ? pem : null),
      (err: unknown) => {
        this.log.warn({ file, err: err instanceof Error ? err.message : String(err) }, "egress CA bundle unreadable: containers keep their own CA store");
        return null;
      },
    );
    return this.ca;
  }

  async session(projectId: string): Promise<EgressSession> {
    // Docker subnets must be known before the first decision.
    this.subnetsLoaded ??= this.refreshSubnets();
    await this.subnetsLoaded;
    // One policy cache per listener (tunnel-policy.ts): its connections share the lookups.
    const context = this.proxy.tunnel(projectId);
    const open = new Set<Duplex>();
    let closed = false;
    const session: EgressSession = {
      handle: (connection) => {
        if (closed) return void connection.destroy();
        open.add(connection);
        connection.once("close", () => open.delete(connection));
        connection.on("error", () => connection.destroy());
        this.proxy.handle(context, connection);
      },
      close: () => {
        closed = true;
        this.sessions.delete(session);
        for (const connection of open) connection.destroy();
      },
    };
    this.sessions.add(session);
    return session;
  }

  /** Projects being served (one per container with network). */
  get activeTunnels(): number {
    return this.sessions.size;
  }

  stop(): void {
    for (const session of [...this.sessions]) session.close();
    this.proxy.stop();
  }
}
