import type { Logger } from "pino";
import { LABEL_INSTANCE, LABEL_SANDBOX, LABEL_SCOPE, type SandboxDriver } from "./driver";

/**
 * At boot, containers labelled by a previous run (or, with one engine per Docker host, by any
 * other instance) are orphans: nobody holds their lease any more. Returns how many were removed.
 */
export async function reapOrphanContainers(
  driver: SandboxDriver,
  options: { instanceId: string; reapOtherInstances: boolean; scope?: string },
  log: Logger,
): Promise<number> {
  const containers = await driver.listByLabel({ [LABEL_SANDBOX]: "1" });
  const orphans = containers.filter((c) => {
    const instance = c.labels[LABEL_INSTANCE];
    if (instance === options.instanceId) return false;
    // Another deployment's containers (e.g. an e2e server beside test engines) are alive, not
    // orphans; containers with no scope predate scopes and are swept by anyone.
    const scope = c.labels[LABEL_SCOPE];
    if (scope !== undefined && scope !== (options.scope ?? "default")) return false;
    return options.reapOtherInstances || instance === undefined;
  });
  await Promise.all(
    orphans.map(async (c) => {
      log.info({ containerId: c.id, instance: c.labels[LABEL_INSTANCE], state: c.state }, "reaping orphan sandbox container");
      await driver.destroy(c.id);
    }),
  );
  return orphans.length;
}
