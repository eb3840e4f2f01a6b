import { hostname } from "node:os";
import type { AuthUser } from "@/server/auth/auth-user";
import { authSecret } from "@/server/process/startup-settings";
import { instanceAddressRepository } from "@/server/repositories/instance-address-repository";
import { DEFAULT_SWEEP } from "@/server/services/records/record-sweeper";
import { currentServerInstance } from "@/server/services/records/server-instance";
import { HOP_HEADER, hopKey, signHop } from "./instance-hop";

/** The internal routes' prefix: served by server/main.ts before Next, only to signed hops (cluster-routes.ts). */
export const CLUSTER_PATH_PREFIX = "/__pantheon/cluster/";

/** This instance's address for its peers: PANTHEON_INSTANCE_URL, else http://HOST:PORT (the host name when HOST is every address). */
export function instanceAddress(env: { PANTHEON_INSTANCE_URL?: string | undefined; HOST: string; PORT: number }): string {
  if (env.PANTHEON_INSTANCE_URL) return env.PANTHEON_INSTANCE_URL.replace(/\/+$/, "");
  const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? hostname() : env.HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${env.PORT}`;
}

/** The key this process signs and checks hops with; null when it has no app secret (tests without one). */
export function currentHopKey(): Buffer | null {
  const secret = authSecret();
  return secret && secret.length >= 32 ? hopKey(secret) : null;
}

export interface PeerRequest {
  url: string;
  headers: Record<string, string>;
}

/**
 * How to reach `instanceId` at `path` (a CLUSTER_PATH_PREFIX route) as a signed hop carrying
 * `user`; null when that instance is this one, is dead (stale heartbeat), has no address yet, or
 * this process cannot sign.
 */
export async function peerRequest(instanceId: string | null, method: string, path: string, user: AuthUser | null = null): Promise<PeerRequest | null> {
  const self = currentServerInstance();
  if (!instanceId || !self || instanceId === self.id) return null;
  const key = currentHopKey();
  if (!key) return null;
  const address = await instanceAddressRepository.liveAddress(instanceId, new Date(Date.now() - DEFAULT_SWEEP.staleAfterMs));
  if (!address) return null;
  const hop = signHop(key, { from: self.id, method, path, user: user && { ...user, name: user.name ?? null } });
  return { url: `${address}${path}`, headers: { [HOP_HEADER]: hop } };
}
