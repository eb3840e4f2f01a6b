import pino from "pino";

// JSON lines on stdout. Secrets never reach a log: the redact paths cover the places a key or
// password could ride along in a logged object.
const holder = globalThis as typeof globalThis & { __pantheonLogger?: pino.Logger };

export function getLogger(): pino.Logger {
  holder.__pantheonLogger ??= pino({
    level: process.env.SANDBOX_LOG_LEVEL ?? "info",
    base: { service: "pantheon-sandbox" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ["password", "*.password", "apiKey", "*.apiKey", "key", "*.key", "authorization", "*.authorization", "headers.cookie", "*.headers.cookie"],
      censor: "[redacted]",
    },
  });
  return holder.__pantheonLogger;
}
