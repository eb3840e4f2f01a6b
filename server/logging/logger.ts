import pino from "pino";
import { reshapeLogJson } from "./log-shape";
import { liveEnv } from "@/lib/env";
import { getAppRuntime } from "@/server/process/app-runtime";

// The one logger of every component: JSON lines on stdout in the seed's shape (log-shape.ts).
// pino serializes as usual (bindings, child loggers, the err serializer, redaction), then each line
// is rewritten into the shape before it is written. Secrets never reach a log: the redact paths
// cover the places a key or password could ride along in a logged object.

const REDACT = ["password", "*.password", "apiKey", "*.apiKey", "key", "*.key", "authorization", "*.authorization", "headers.cookie", "*.headers.cookie"];

/** `stderr`: for a CLI whose stdout is its answer. */
export function createLogger(
  opts: { level?: string; destination?: pino.DestinationStream; stderr?: boolean; bindings?: Record<string, unknown> } = {},
): pino.Logger {
  return pino(
    {
      level: opts.level ?? liveEnv("SANDBOX_LOG_LEVEL") ?? "info",
      base: opts.bindings ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: "[redacted]" },
      hooks: { streamWrite: reshapeLogJson },
    },
    opts.destination ?? (opts.stderr ? pino.destination(2) : undefined),
  );
}

export function getLogger(): pino.Logger {
  const runtime = getAppRuntime();
  runtime.logger ??= createLogger({ bindings: { service: "pantheon-sandbox" } });
  return runtime.logger;
}
