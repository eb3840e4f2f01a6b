// Network for sandboxes without a network interface: per project, the container's agent listens
// on the container's loopback (NetService.Listen, as the agent's own uid: sandbox code cannot
// stop it or take its port) and hands each connection over its own stream to the app's egress
// proxy (server/egress), which applies the project's policy. The engine only starts the listener
// and sets the proxy environment; it knows no policy beyond "none or not" and never reads the
// database: the caller passes the project's policy.
import type { Duplex } from "node:stream";

export const NETWORK_POLICIES = ["none", "registry", "open"] as const;
export type NetworkPolicy = (typeof NETWORK_POLICIES)[number];

/** The proxy's address inside the container. */
export const EGRESS_PORT = 3128;
/** The CA bundle copied into the container (on its /tmp tmpfs) when the app provides one. */
export const EGRESS_CA_PATH = "/tmp/.pantheon/ca.pem";

/** One project's connections to the proxy, as the app serves them. */
export interface EgressSession {
  /** Serves one connection the project's container made to the proxy port. */
  handle(connection: Duplex): void;
  /** The listener is gone: connections still open end. */
  close(): void;
}

/** The app side of the egress listener (implemented by server/egress/egress-gateway.ts). */
export interface EgressConnector {
  /**
   * PEM certificates the container must trust for TLS through the proxy (the host's bundle: on
   * hosts whose outbound TLS is intercepted it holds the intercepting CA). null: the image's own.
   */
  caBundle(): Promise<Buffer | null>;
  /** Ready to serve the project's connections (resolves once the proxy can decide). */
  session(projectId: string): Promise<EgressSession>;
}

/**
 * Environment for executions and spawned processes of a project whose policy is not "none":
 * every package manager in the images goes through the proxy, and trusts the host's CAs.
 */
export function egressEnv(withCa: boolean): Record<string, string> {
  const proxy = `http://127.0.0.1:${EGRESS_PORT}`;
  const env: Record<string, string> = {
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    NO_PROXY: "localhost,127.0.0.1,::1",
    no_proxy: "localhost,127.0.0.1,::1",
    npm_config_proxy: proxy,
    npm_config_https_proxy: proxy,
    PIP_PROXY: proxy,
  };
  if (withCa) {
    Object.assign(env, {
      NODE_EXTRA_CA_CERTS: EGRESS_CA_PATH,
      npm_config_cafile: EGRESS_CA_PATH,
      PIP_CERT: EGRESS_CA_PATH,
      SSL_CERT_FILE: EGRESS_CA_PATH,
      REQUESTS_CA_BUNDLE: EGRESS_CA_PATH,
    });
  }
  return env;
}
