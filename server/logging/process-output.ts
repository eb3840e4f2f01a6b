import { format } from "node:util";
import type pino from "pino";

// Whatever else in the process writes a line — Next, a library, Node's own warnings, a crash —
// goes through the logger too, so every line the server prints has the one shape (log-shape.ts).

const CONSOLE_LEVELS = { log: "info", info: "info", debug: "debug", trace: "debug", warn: "warn", error: "error" } as const;

/** console.* becomes log lines of component "console" (Next's own messages among them). */
export function routeConsoleToLogger(logger: pino.Logger): void {
  const log = logger.child({ component: "console" });
  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    (console as unknown as Record<string, (...args: unknown[]) => void>)[method] = (...args: unknown[]) => log[level](format(...args));
  }
}

/**
 * Node's warnings (printed raw by a default listener) and fatal errors become log lines. An
 * uncaught exception or unhandled rejection still ends the process with status 1, as without this.
 */
export function routeProcessEventsToLogger(logger: pino.Logger): void {
  const log = logger.child({ component: "process" });
  process.removeAllListeners("warning");
  process.on("warning", (warning) => log.warn({ warning: warning.name, code: (warning as { code?: string }).code }, warning.message));
  const fatal = (origin: string) => (err: unknown) => {
    log.fatal({ err, origin }, `${origin}: the process ends`);
    // pino writes synchronously to stdout (no transport), so the line is out before the exit.
    process.exit(1);
  };
  process.on("uncaughtException", fatal("uncaught exception"));
  process.on("unhandledRejection", fatal("unhandled rejection"));
}
