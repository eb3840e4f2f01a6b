import type { Duplex } from "node:stream";
import type { SandboxEngine } from "@/server/sandbox/engine";
import type { PreviewTarget } from "./preview-proxy";
import { refusedPortReason, type PreviewSettings } from "./preview-settings";

/**
 * Opens one upstream connection for a preview: a TCP connection to 127.0.0.1:<port> in the target
 * project's container (its live lease, chosen by the project id of the engine's record, never by
 * the request), carried by one stream of the container's agent (engine.connectPort). Containers
 * have no network at all (NetworkMode "none"): this is the only way in, and it reaches only the
 * container's own loopback. Nothing listening rejects with NothingListeningError, or, `eager`, ends
 * the socket with it (node:http reports that as the request's error).
 */
export function portConnector(engine: Pick<SandboxEngine, "connectPort">, settings: Pick<PreviewSettings, "deniedPorts">) {
  return async (target: PreviewTarget, options: { eager?: boolean } = {}): Promise<Duplex> => {
    const refused = refusedPortReason(target.port, settings);
    if (refused) throw new Error(refused);
    return engine.connectPort(String(target.projectId), target.port, { eager: options.eager ?? false });
  };
}
