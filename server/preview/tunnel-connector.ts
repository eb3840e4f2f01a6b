import type { SandboxEngine } from "@/server/sandbox/engine";
import type { PreviewTarget } from "./preview-proxy";
import { refusedPortReason, type PreviewSettings } from "./preview-settings";
import { TunnelSocket } from "./tunnel-socket";

/**
 * The in-container connector (sandbox-images, static binary): connects to 127.0.0.1:<port>,
 * pipes stdin→socket and socket→stdout, and exits non-zero with "nothing listening on port N"
 * on stderr when the connect fails. Containers have no network at all (NetworkMode "none"), so
 * this is the only way in, and it can only reach the container's own loopback.
 */
export const TUNNEL_BINARY = "/opt/pantheon/bin/pantheon-tunnel";

export function tunnelArgv(port: number): string[] {
  return [TUNNEL_BINARY, "connect", String(port)];
}

/**
 * Opens one upstream connection for a preview: spawns the connector in the target project's
 * container (chosen from the engine's lease for that project id, never from the request) and
 * wraps its stdin/stdout as a socket.
 */
export function tunnelConnector(engine: Pick<SandboxEngine, "spawn">, settings: Pick<PreviewSettings, "deniedPorts">) {
  return async (target: PreviewTarget): Promise<TunnelSocket> => {
    const refused = refusedPortReason(target.port, settings);
    if (refused) throw new Error(refused);
    const process = await engine.spawn(String(target.projectId), { image: target.image, argv: tunnelArgv(target.port) });
    return new TunnelSocket(process, target.port);
  };
}
