import type { Logger } from "pino";
import { getAppRuntime } from "@/server/process/app-runtime";
import { instanceAddressRepository } from "@/server/repositories/instance-address-repository";
import type { ServerInstanceIdentity } from "@/server/services/records/server-instance";
import { FeedRelay } from "./feed-relay";
import { currentHopKey, instanceAddress } from "./instance-peers";

/** Starts relaying this instance's file changes and execution starts to the others, and theirs here (stopped by main.ts). */
export async function startFeedRelay(self: ServerInstanceIdentity, databaseUrl: string, log: Logger): Promise<FeedRelay> {
  const relay = new FeedRelay({ databaseUrl, self: self.id, log: log.child({ component: "feed-relay" }) });
  await relay.start();
  getAppRuntime().feedRelay = relay;
  return relay;
}

export async function stopFeedRelay(): Promise<void> {
  const relay = getAppRuntime().feedRelay;
  getAppRuntime().feedRelay = undefined;
  await relay?.stop();
}

/** Publishes where the peers reach this instance (once it listens), for the feeds, shells and previews they forward here. */
export async function recordInstanceAddress(
  self: ServerInstanceIdentity,
  env: { PANTHEON_INSTANCE_URL?: string | undefined; HOST: string; PORT: number },
  log: Logger,
): Promise<string> {
  const address = instanceAddress(env);
  await instanceAddressRepository.record(self.id, address);
  if (!currentHopKey()) log.warn("no app secret of 32+ characters: this instance cannot forward to or accept from its peers");
  return address;
}
