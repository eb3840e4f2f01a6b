// The app side of every project's egress tunnel: demultiplexes the tunnel into connections and
// hands each to the in-process proxy, tagged with the project it came from. Implements the
// engine's EgressConnector; the runtime wires the project's policy lookup in (the database).
import { readFile } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import type { Logger } from "pino";
import type { EgressConnector } from "@/server/sandbox/egress";
import type { SandboxProcess } from "@/server/sandbox/spawned-process";
import { DEFAULT_REGISTRY_HOSTS, HostAddressSet, type NetworkPolicy } from "./address-policy";
import { type EgressDecision, EgressProxy, type EgressProxyOptions } from "./egress-proxy";
import { TunnelMux } from "./tunnel-mux";

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
  private readonly tunnels = new Set<TunnelMux>();

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

  async attach(projectId: string, tunnel: SandboxProcess): Promise<void> {
    // Docker subnets must be known before the first decision.
    this.subnetsLoaded ??= this.refreshSubnets();
    await this.subnetsLoaded;
    const mux = new TunnelMux(tunnel.stdout, tunnel.stdin);
    this.tunnels.add(mux);
    // One policy cache per tunnel (tunnel-policy.ts): its connections share the lookups.
    const context = this.proxy.tunnel(projectId);
    mux.on("channel", (channel) => {
      channel.on("error", () => channel.destroy());
      this.proxy.handle(context, channel);
    });
    mux.on("close", (err) => {
      this.tunnels.delete(mux);
      if (err && !/tunnel ended/.test(err.message)) this.log.warn({ projectId, err: err.message }, "egress tunnel closed");
    });
    void tunnel.exited.then(() => mux.close());
    await mux.ready;
  }

  /** Open tunnels (one per project container with network). */
  get activeTunnels(): number {
    return this.tunnels.size;
  }

  stop(): void {
    for (const mux of this.tunnels) mux.close();
    this.proxy.stop();
  }
}
