import type { Env } from "@/lib/env";

/** How previews are served, from the validated environment (lib/env.ts). */
export interface PreviewSettings {
  /** Where preview listeners bind. */
  host: string;
  /** Host ports for preview listeners, one per running preview. */
  ports: { from: number; to: number };
  /** scheme://host of preview URLs (the port is each listener's). */
  origin: string;
  /** Container ports no process may serve and the proxy never connects to. */
  deniedPorts: ReadonlySet<number>;
}

export const MIN_SERVED_PORT = 1024;
export const MAX_SERVED_PORT = 65535;

export function previewSettings(env: Env, publicUrl: string): PreviewSettings {
  const app = new URL(publicUrl);
  return {
    host: env.SANDBOX_PREVIEW_HOST ?? env.HOST,
    ports: env.SANDBOX_PREVIEW_PORTS,
    origin: (env.SANDBOX_PREVIEW_ORIGIN ?? `${app.protocol}//${app.hostname}`).replace(/\/$/, ""),
    // The app's own ports are never a preview target, whatever the list says.
    deniedPorts: new Set([...env.SANDBOX_PREVIEW_DENIED_PORTS, env.PORT, env.PANTHEON_PG_PORT]),
  };
}

/** Why a container port may not be served or previewed, or null when it may. */
export function refusedPortReason(port: number, settings: Pick<PreviewSettings, "deniedPorts">): string | null {
  if (settings.deniedPorts.has(port))
    return `port ${port} is on the preview denylist (${[...settings.deniedPorts].sort((a, b) => a - b).join(", ")}); use another port`;
  if (!Number.isInteger(port) || port < MIN_SERVED_PORT || port > MAX_SERVED_PORT)
    return `port must be an integer from ${MIN_SERVED_PORT} to ${MAX_SERVED_PORT}`;
  return null;
}

export function previewUrl(settings: Pick<PreviewSettings, "origin">, listenerPort: number): string {
  return `${settings.origin}:${listenerPort}/`;
}
