// The network policy as one tunnel sees it. Looked up once per TTL per tunnel (concurrent
// connections share one lookup), not at every connection: a sandbox opening connections in a loop
// used to cost one database query each. A short TTL rather than the tunnel's whole life because a
// tunnel lives as long as its container (hours, with a long-lived spawn holding it), and a policy
// lowered by the owner or an admin (open → none) must reach connections opened after it soon.
import type { NetworkPolicy } from "./address-policy";

/** A policy change reaches a running tunnel's new connections within this time. */
export const POLICY_TTL_MS = 5_000;

export class TunnelPolicy {
  private cached: { policy: NetworkPolicy; at: number } | null = null;
  private pending: Promise<NetworkPolicy> | null = null;

  constructor(
    readonly projectId: string,
    private readonly lookup: (projectId: string) => Promise<NetworkPolicy>,
    private readonly ttlMs = POLICY_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached policy, or one lookup shared by every caller; a failed lookup is not cached. */
  get(): Promise<NetworkPolicy> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return Promise.resolve(this.cached.policy);
    this.pending ??= this.lookup(this.projectId)
      .then((policy) => {
        this.cached = { policy, at: this.now() };
        return policy;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}
