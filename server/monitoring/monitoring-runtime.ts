import { getLogger } from "@/server/logging/logger";
import type { EngineStatus } from "@/server/sandbox/engine";
import { getAppRuntime } from "@/server/process/app-runtime";
import type { AlertConfig } from "./alert-config";
import { type AlertMonitor, createAlertMonitor, fleetObservations } from "./alert-monitor";
import type { AlertTransition, Observation } from "./alert-rules";
import { storeAlertTransition } from "./alert-store";
import { createWebhookNotifier, type WebhookNotifier } from "./alert-webhook";
import { getFleetMetrics } from "./prometheus";

export interface MonitoringOptions {
  intervalMs: number;
  /** Thresholds and webhook, from the configuration start-up read (monitoring-services.ts). */
  alerts: AlertConfig;
  status?: () => EngineStatus | undefined;
  /** Per-container observations (CPU, memory) from the collector, when there is one. */
  containerObservations?: () => Observation[];
  onTransition?: (t: AlertTransition) => Promise<void>;
}

export interface MonitoringHandle {
  monitor: AlertMonitor;
  /** Stops ticking and waits (bounded) for webhook deliveries in flight. */
  stop(): Promise<void>;
}

/**
 * Starts the alert loop once per process (a second call returns the running one). Each tick
 * takes the fleet figures and any container observations; a failing tick is logged and the
 * next one runs, so one bad sample never stops monitoring. (A bad threshold or webhook URL
 * stops start-up earlier, in lib/env.ts's parse.)
 */
export function startMonitoring(opts: MonitoringOptions): MonitoringHandle {
  const runtime = getAppRuntime();
  if (runtime.monitoring) return runtime.monitoring;
  const config = opts.alerts;
  const notifier: WebhookNotifier | null = config.webhookUrl ? createWebhookNotifier({ url: config.webhookUrl }) : null;
  const monitor = createAlertMonitor({ policy: config.policy, notifier, onTransition: opts.onTransition ?? storeAlertTransition });
  const status = opts.status ?? (() => getAppRuntime().engine?.status());
  const log = getLogger().child({ component: "monitoring" });

  const timer = setInterval(() => {
    try {
      const figures = getFleetMetrics().window.figures(Date.now());
      const observations: Observation[] = [...fleetObservations(status(), figures), { rule: "execution_time_ms", subject: "fleet", value: figures.p95Ms }];
      try {
        observations.push(...(opts.containerObservations?.() ?? []));
      } catch (e) {
        log.warn({ err: e }, "container observations failed; fleet alerts still run");
      }
      monitor.tick(observations);
    } catch (e) {
      log.error({ err: e }, "alert tick failed");
    }
  }, opts.intervalMs);
  timer.unref();

  const handle: MonitoringHandle = {
    monitor,
    async stop() {
      clearInterval(timer);
      if (runtime.monitoring === handle) runtime.monitoring = undefined;
      if (notifier) await Promise.race([notifier.drain(), new Promise((r) => setTimeout(r, 5_000).unref())]);
    },
  };
  runtime.monitoring = handle;
  log.info({ intervalMs: opts.intervalMs, thresholds: config.policy.thresholds, webhook: notifier !== null }, "alert monitoring started");
  return handle;
}
