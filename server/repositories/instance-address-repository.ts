import { getPrisma } from "@/server/db/client";

/** Where each instance is reached by its peers (server_instances.address, SCALE.md "through any instance"). */
export const instanceAddressRepository = {
  /** Written at boot once the server listens (the row exists: the sweeper beat before). */
  async record(id: string, address: string): Promise<void> {
    await getPrisma().serverInstance.updateMany({ where: { id }, data: { address } });
  },

  /** The instance's address when it beat since `since` (alive); null for a dead or unknown one. */
  async liveAddress(id: string, since: Date): Promise<string | null> {
    const row = await getPrisma().serverInstance.findFirst({ where: { id, heartbeatAt: { gte: since } }, select: { address: true } });
    return row?.address ?? null;
  },
};
