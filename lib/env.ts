import { z } from "zod";

// Every setting the server reads, validated once at start-up. The SANDBOX_* names and
// defaults are the customer's (seed §"Configurazione tecnica"); ceilings sit beside them so a
// deployment can lower a limit but never configure one past what the policy allows.

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
/** The most SANDBOX_MAX_FILE_SIZE may be set to: no stored file is larger, so no read needs to return more. */
export const MAX_FILE_SIZE_CEILING = 10 * 1_048_576;
const emptyAsUndefined = (v: unknown) => (v === "" ? undefined : v);
const positive = (def: number) => z.preprocess(emptyAsUndefined, z.coerce.number().positive().finite().default(def));
const portNumber = z.number().int().min(1024, "ports below 1024 are refused").max(65535);
/** "4100-4199": the host ports preview listeners take, one per running preview. */
const portRange = z
  .string()
  .regex(/^\d+-\d+$/, 'must look like "4100-4199"')
  .transform((text) => text.split("-").map(Number) as [number, number])
  .pipe(z.tuple([portNumber, portNumber]).refine(([from, to]) => from <= to && to - from < 1000, "must be low-high with at most 1000 ports"))
  .transform(([from, to]) => ({ from, to }));
/** "22,2375,5432": a comma-separated list of TCP ports. */
const portList = z
  .string()
  .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, "must be comma-separated port numbers")
  .transform((text) => text.split(",").map((p) => Number(p.trim())))
  .pipe(z.array(z.number().int().min(1).max(65535)));

// The server's database client (server/db/client.ts): connections in its pool, and how long one
// statement may run before PostgreSQL cancels it (a slow or stalled disk, a lock held too long).
const databaseClientFields = {
  DATABASE_POOL_MAX: int(30, 2, 200),
  DATABASE_STATEMENT_TIMEOUT_MS: int(30_000, 500, 600_000),
};

export const envSchema = z
  .object({
    ...databaseClientFields,
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: int(3000, 1, 65535),
    HOST: z.string().min(1).default("127.0.0.1"),
    DATABASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    PANTHEON_DATA_DIR: z.string().min(1).default(".data"),
    PANTHEON_PG_PORT: int(54329, 1024, 65535),
    NEXTAUTH_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
    NEXTAUTH_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, "must be at least 32 characters").optional()),
    /** Where the other replicas reach this one (http://10.0.0.5:3000); default http://HOST:PORT (the host name when HOST binds every address). */
    PANTHEON_INSTANCE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),

    SANDBOX_CONTAINER_REGISTRY: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._/-]*$/, "must be a lower-case image name prefix")
      .default("pantheon-sandbox"),
    SANDBOX_RUNTIME: z.enum(["runc", "runsc"]).default("runc"),
    // Where sandboxes run: the local Docker engine, or pods through the Kubernetes API
    // (server/sandbox/kubernetes; credentials from the in-cluster ServiceAccount or KUBECONFIG).
    SANDBOX_DRIVER: z.enum(["docker", "kubernetes"]).default("docker"),
    SANDBOX_K8S_NAMESPACE: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a Kubernetes namespace name")
      .default("pantheon-sandboxes"),
    // A RuntimeClass for gVisor or Kata on the nodes (deploy/kubernetes/runtimeclass-gvisor.yaml); "" = the cluster default.
    SANDBOX_K8S_RUNTIME_CLASS: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/)
        .optional(),
    ),
    // A seccomp profile installed on every node, relative to the kubelet's seccomp directory; "" = RuntimeDefault.
    SANDBOX_K8S_SECCOMP_PROFILE: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9._/-]+$/)
        .optional(),
    ),
    // The cluster's pod and service ranges, comma-separated CIDRs: the egress proxy (in the app's
    // pod) refuses them whatever the policy. Private ranges are refused already; list them when
    // the cluster uses others. "" = none.
    SANDBOX_K8S_CLUSTER_CIDRS: z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((c) => c.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, "CIDRs only, comma-separated (10.0.0.0/8,fd00::/8)"))),
    // Deployments sharing one Docker host (say, the app and its e2e run) use different scopes,
    // so neither's boot reaper removes the other's containers.
    SANDBOX_CONTAINER_SCOPE: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "must be lower-case letters, digits and dashes")
      .default("default"),
    // Base of the per-container directories where the engine listens for its agents (runc only;
    // server/sandbox/agent/agent-socket.ts); "off": every call over the agent's exec stream.
    SANDBOX_AGENT_SOCKET_DIR: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^(off|\/[A-Za-z0-9._/-]{0,59})$/, 'must be "off" or an absolute path of at most 60 plain characters')
        .optional(),
    ),
    SANDBOX_MAX_CONCURRENT: int(50, 1, 500),
    SANDBOX_POOL_SIZE: int(10, 0, 100),
    SANDBOX_MAX_IDLE_TIME: int(300_000, 10_000, 86_400_000),
    // A container with no user action (execution, file write, process start, shell input, preview
    // request) for this long is released even while its processes print: output alone never keeps it.
    SANDBOX_MAX_UNATTENDED_TIME: int(3_600_000, 10_000, 7 * 86_400_000),
    SANDBOX_DEFAULT_TIMEOUT: int(30, 1, 300),
    SANDBOX_MAX_TIMEOUT: int(300, 1, 3600),
    // Seconds: base deadline of the engine's own commands in a container (server/sandbox/deadline.ts).
    SANDBOX_ENGINE_COMMAND_TIMEOUT: int(20, 1, 600),
    SANDBOX_MAX_FILE_SIZE: int(1_048_576, 1, MAX_FILE_SIZE_CEILING),
    SANDBOX_MAX_PROJECT_SIZE: int(104_857_600, 1, 1_073_741_824),
    // Checkpoints kept per project (newest first); older ones and the content only they named are dropped.
    CHECKPOINT_RETENTION: int(200, 1, 10_000),
    SANDBOX_SECCOMP_PROFILE: z.string().min(1).default("security/seccomp.json"),
    SANDBOX_APPARMOR_PROFILE: z.string().default("pantheon-sandbox"),
    SANDBOX_METRICS_INTERVAL: int(5000, 500, 3_600_000),
    // Workspace size (`df` in the container) is measured every Nth metrics sample.
    SANDBOX_METRICS_DISK_EVERY: int(6, 1, 720),
    SANDBOX_METRICS_RETENTION_HOURS: int(24, 1, 8760),
    SANDBOX_FLEET_METRICS_RETENTION_HOURS: int(168, 1, 8760),
    SANDBOX_ALERT_RETENTION_DAYS: int(30, 1, 3650),
    SANDBOX_CLEANUP_INTERVAL: int(300_000, 10_000, 86_400_000),
    // The cleanup sizes the warm pool to recent demand between this and SANDBOX_POOL_SIZE.
    SANDBOX_POOL_MIN: int(1, 0, 100),
    SANDBOX_POOL_DEMAND_WINDOW: int(900_000, 60_000, 86_400_000),
    // Alert thresholds (seed: CPU 80 %, memory 400 MB, error rate 10 %, execution 30 s, 50 sandboxes).
    SANDBOX_ALERT_CPU_PERCENT: positive(80),
    SANDBOX_ALERT_MEMORY_MB: positive(400),
    SANDBOX_ALERT_ERROR_RATE: positive(0.1).pipe(z.number().max(1, "must be a ratio between 0 and 1")),
    SANDBOX_ALERT_EXECUTION_TIMEOUT_MS: positive(30_000),
    SANDBOX_ALERT_MAX_CONCURRENT: positive(50),
    SANDBOX_LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
    SANDBOX_ALERT_WEBHOOK_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
    // Lets a Prometheus server scrape /api/metrics without an admin account.
    SANDBOX_METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, "must be at least 16 characters").optional()),

    SANDBOX_RATE_SANDBOXES_PER_USER: int(5, 1, 1000),
    SANDBOX_RATE_CREATE_PER_MINUTE: int(20, 1, 100_000),
    SANDBOX_RATE_CREATE_PER_HOUR: int(100, 1, 1_000_000),
    // Per user beside the global windows, so one account cannot spend everyone's creation budget.
    SANDBOX_RATE_CREATE_PER_USER_PER_MINUTE: int(10, 1, 100_000),
    SANDBOX_RATE_CREATE_PER_USER_PER_HOUR: int(50, 1, 1_000_000),
    // Failed sign-ins allowed per account (email) and per client address within the window; past
    // either, sign-in answers 429 with Retry-After until the window ends.
    SANDBOX_RATE_SIGNIN_FAILURES_PER_ACCOUNT: int(10, 1, 10_000),
    SANDBOX_RATE_SIGNIN_FAILURES_PER_CLIENT: int(50, 1, 100_000),
    SANDBOX_RATE_SIGNIN_WINDOW_SECONDS: int(900, 10, 86_400),
    // Reverse proxies in front of the app that append to X-Forwarded-For (0: the socket's peer is
    // the client; X-Forwarded-For is then ignored, since anyone can send one).
    PANTHEON_TRUSTED_PROXY_HOPS: int(0, 0, 10),
    SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE: int(10, 1, 100_000),
    SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE: int(50, 1, 100_000),
    SANDBOX_MAX_BODY_BYTES: int(2 * 1_048_576, 1024, 256 * 1_048_576),
    // Requests worked on at once (event streams and WebSockets aside); past it each new request is
    // answered 503 with Retry-After at the door, so a burst gets fast refusals instead of timeouts.
    SANDBOX_MAX_REQUESTS_IN_FLIGHT: int(512, 8, 100_000),
    // Interactive shells (the IDE terminal's PTY over a WebSocket): closed after this long without
    // input from the browser, and at most this many open per user in a project and per user overall.
    SANDBOX_SHELL_IDLE_MS: int(900_000, 5_000, 86_400_000),
    SANDBOX_SHELL_MAX_PER_PROJECT: int(3, 1, 20),
    SANDBOX_SHELL_MAX_PER_USER: int(5, 1, 100),
    // Egress proxy (network policy "registry"): the hosts the images' package managers use.
    SANDBOX_EGRESS_REGISTRY_HOSTS: z
      .string()
      .default("registry.npmjs.org,pypi.org,files.pythonhosted.org")
      .transform((v) =>
        v
          .split(",")
          .map((h) => h.trim().toLowerCase().replace(/\.$/, ""))
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[a-z0-9.-]+$/, "host names only, comma-separated")).min(1)),
    // PEM bundle copied into containers with network (TLS through an intercepting CA); "" = none.
    SANDBOX_EGRESS_CA_FILE: z.string().default("/etc/ssl/certs/ca-certificates.crt"),

    // Live previews (server/preview, PREVIEW.md): each running dev server gets a listener port of
    // its own from this range, so its origin (scheme://host:port/) is never the app's.
    SANDBOX_PREVIEW_PORTS: portRange.default({ from: 4100, to: 4199 }),
    /** Where preview listeners bind; defaults to HOST. */
    SANDBOX_PREVIEW_HOST: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
    /** Scheme and host of same-host preview URLs (no port, no path); defaults to NEXTAUTH_URL's. */
    SANDBOX_PREVIEW_ORIGIN: z.preprocess(
      emptyAsUndefined,
      z
        .url({ protocol: /^https?$/ })
        .refine((u) => /^https?:\/\/[^/:]+\/?$/.test(u) || /^https?:\/\/\[[^\]]+\]\/?$/.test(u), "must be scheme://host with no port or path")
        .optional(),
    ),
    /**
     * Production default: previews on a site of their own, `scheme://<n>.<base>[:port]/` for each
     * running preview, all served by one listener that routes by Host (PREVIEW.md). Unset: each
     * preview is a port of the app's host name (same-host mode).
     */
    SANDBOX_PREVIEW_DOMAIN: z.preprocess(
      emptyAsUndefined,
      z
        .url({ protocol: /^https?$/ })
        .refine(
          (u) => /^https?:\/\/[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?\/?$/i.test(u),
          "must be scheme://base.domain[:port] (a wildcard DNS name's base), with no path",
        )
        .optional(),
    ),
    /** Where the one listener of domain mode binds its port; defaults to SANDBOX_PREVIEW_DOMAIN's port, else the first of SANDBOX_PREVIEW_PORTS. */
    SANDBOX_PREVIEW_LISTEN_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().pipe(portNumber).optional()),
    /** Container ports a process may never serve or be previewed on; the app's PORT and PANTHEON_PG_PORT are always added. */
    SANDBOX_PREVIEW_DENIED_PORTS: portList.default([22, 2375, 2376, 5432, 3306, 6379, 27017, 9200, 11211]),
    SANDBOX_MAX_PROCESSES_PER_PROJECT: int(5, 1, 50),
    // Across all of a user's projects (the preview ports are shared by everyone).
    SANDBOX_MAX_PROCESSES_PER_USER: int(10, 1, 500),
    SANDBOX_MAX_PREVIEWS_PER_USER: int(5, 1, 100),
  })
  .refine((e) => e.SANDBOX_DEFAULT_TIMEOUT <= e.SANDBOX_MAX_TIMEOUT, {
    path: ["SANDBOX_DEFAULT_TIMEOUT"],
    message: "must not exceed SANDBOX_MAX_TIMEOUT",
  })
  .refine((e) => [e.PORT, e.PANTHEON_PG_PORT].every((p) => p < e.SANDBOX_PREVIEW_PORTS.from || p > e.SANDBOX_PREVIEW_PORTS.to), {
    path: ["SANDBOX_PREVIEW_PORTS"],
    message: "must not include PORT or PANTHEON_PG_PORT",
  })
  .refine((e) => e.SANDBOX_PREVIEW_LISTEN_PORT === undefined || ![e.PORT, e.PANTHEON_PG_PORT].includes(e.SANDBOX_PREVIEW_LISTEN_PORT), {
    path: ["SANDBOX_PREVIEW_LISTEN_PORT"],
    message: "must not be PORT or PANTHEON_PG_PORT",
  });

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  throw new EnvError(result.error.issues.map((i) => `${i.path.join(".") || "(env)"}: ${i.message} (got ${JSON.stringify(source[String(i.path[0])] ?? null)})`));
}

let cached: Env | undefined;

/** The process environment, parsed once. Throws EnvError naming each bad variable. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
 * Variables read as they are now, not from getEnv()'s parse: DATABASE_URL, NEXTAUTH_URL and
 * NEXTAUTH_SECRET are what a process that started no server has (tests and scripts set them after
 * the parse; the server publishes what it resolved in server/process/startup-settings.ts, which
 * falls back to these); the others are read where getEnv() must not throw (the logger, a debug
 * switch) or where a test sets them after the parse. The one place besides getEnv() that reads
 * process.env (eslint.layers.mjs refuses it elsewhere).
 */
export type LiveEnvName = "DATABASE_URL" | "NEXTAUTH_URL" | "NEXTAUTH_SECRET" | "SANDBOX_LOG_LEVEL" | "SANDBOX_METRICS_TOKEN" | "DEBUG_SCHEMA_ENGINE";
export function liveEnv(name: LiveEnvName): string | undefined {
  return process.env[name];
}

/**
 * The database client's limits as they are now (validated at start-up by envSchema too): the
 * client is made lazily, and a test sets them after getEnv()'s parse.
 */
export function databaseClientLimits(): { poolMax: number; statementTimeoutMs: number } {
  const e = z.object(databaseClientFields).parse(process.env);
  return { poolMax: e.DATABASE_POOL_MAX, statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS };
}
