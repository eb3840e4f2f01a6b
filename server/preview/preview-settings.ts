import type { Env } from "@/lib/env";

/**
 * Domain mode: every preview is `scheme://<slot>.<base>[:publicPort]`, a site apart from the app's,
 * all served by one listener that routes by Host.
 */
export interface PreviewDomain {
  scheme: "http:" | "https:";
  /** The wildcard's base name, lower case ("preview.example.com"). */
  base: string;
  /** ":8443" when the public URL names a port, else "". */
  publicPort: string;
  /** The one listener's port (a TLS proxy in front usually maps 443 to it). */
  listenPort: number;
}

/** How previews are served, from the validated environment (lib/env.ts). */
export interface PreviewSettings {
  /** Where preview listeners bind. */
  host: string;
  /**
   * Same-host mode: the host ports of the listeners, one per running preview. Domain mode: the
   * numbers that name previews (`<n>.<base>`); no port is opened per preview.
   */
  ports: { from: number; to: number };
  /** scheme://host of same-host preview URLs (the port is each listener's). */
  origin: string;
  /** Set in domain mode (SANDBOX_PREVIEW_DOMAIN). */
  domain: PreviewDomain | null;
  /** Container ports no process may serve and the proxy never connects to. */
  deniedPorts: ReadonlySet<number>;
}

export const MIN_SERVED_PORT = 1024;
export const MAX_SERVED_PORT = 65535;

function domainOf(env: Env): PreviewDomain | null {
  if (!env.SANDBOX_PREVIEW_DOMAIN) return null;
  const url = new URL(env.SANDBOX_PREVIEW_DOMAIN);
  return {
    scheme: url.protocol === "https:" ? "https:" : "http:",
    base: url.hostname.toLowerCase(),
    publicPort: url.port ? `:${url.port}` : "",
    listenPort: env.SANDBOX_PREVIEW_LISTEN_PORT ?? (url.port ? Number(url.port) : env.SANDBOX_PREVIEW_PORTS.from),
  };
}

export function previewSettings(env: Env, publicUrl: string): PreviewSettings {
  const app = new URL(publicUrl);
  return {
    host: env.SANDBOX_PREVIEW_HOST ?? env.HOST,
    ports: env.SANDBOX_PREVIEW_PORTS,
    origin: (env.SANDBOX_PREVIEW_ORIGIN ?? `${app.protocol}//${app.hostname}`).replace(/\/$/, ""),
    domain: domainOf(env),
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

/** The origin of the preview numbered `slot` (its listener port in same-host mode): what its pages' Origin header says. */
export function previewOrigin(settings: Pick<PreviewSettings, "origin" | "domain">, slot: number): string {
  const domain = settings.domain;
  return domain ? `${domain.scheme}//${slot}.${domain.base}${domain.publicPort}` : `${settings.origin}:${slot}`;
}

export function previewUrl(settings: Pick<PreviewSettings, "origin" | "domain">, slot: number): string {
  return `${previewOrigin(settings, slot)}/`;
}

/**
 * Domain mode: the preview a Host header names ("4101.preview.example.com[:port]"), or null.
 * Only `<digits>.<base>` matches; the port is the proxy's business and is not compared.
 */
export function slotOfHost(domain: Pick<PreviewDomain, "base">, host: string | undefined): number | null {
  if (!host) return null;
  const name = host.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  const suffix = `.${domain.base}`;
  if (!name.endsWith(suffix)) return null;
  const label = name.slice(0, -suffix.length);
  if (!/^[1-9]\d{0,4}$/.test(label)) return null;
  return Number(label);
}

/**
 * How a preview's cookie is set. The frame may be another site than the app (always in domain mode
 * on a domain of its own), where browsers keep only partitioned third-party cookies (CHIPS:
 * `Secure; SameSite=None; Partitioned`, keyed to the IDE's site), so those attributes are used
 * wherever the page is a secure context: https, and http://localhost or *.localhost, which browsers
 * treat as secure (the e2e of domain mode runs there). Over https the name also takes `__Host-`, so
 * no sibling host can set it. Plain http elsewhere can only be same-site: `SameSite=Lax`.
 */
export function previewCookie(settings: Pick<PreviewSettings, "origin" | "domain">): { hostPrefix: boolean; attributes: string } {
  const domain = settings.domain;
  const { protocol, hostname } = domain ? { protocol: domain.scheme, hostname: domain.base } : new URL(settings.origin);
  const https = protocol === "https:";
  const secureContext = https || hostname === "localhost" || hostname.endsWith(".localhost");
  return { hostPrefix: https, attributes: secureContext ? "HttpOnly; Secure; SameSite=None; Partitioned" : "HttpOnly; SameSite=Lax" };
}

/** One start-up line saying where previews are served (for server/main.ts). */
export function describePreviews(settings: PreviewSettings): string {
  const { from, to } = settings.ports;
  const domain = settings.domain;
  if (domain)
    return `previews: ${domain.scheme}//<n>.${domain.base}${domain.publicPort}/ (n ${from}-${to}), one listener on ${settings.host}:${domain.listenPort}`;
  return `previews: ${settings.origin}:<port>/ on ports ${from}-${to} (bound to ${settings.host}); set SANDBOX_PREVIEW_DOMAIN in production`;
}

/** The IDE's CSP frame-src for previews (a source cannot name a port range or a label pattern more narrowly). */
export function previewFrameSources(settings: Pick<PreviewSettings, "origin" | "domain">): string[] {
  const domain = settings.domain;
  return domain ? [`${domain.scheme}//*.${domain.base}${domain.publicPort}`] : [`${settings.origin}:*`];
}
