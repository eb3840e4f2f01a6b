import { getLogger } from "@/server/logging/logger";
import type { EngineStatus } from "@/server/sandbox/engine";
import { type AlertPolicy, type AlertTransition, AlertStateMachine, type Observation } from "./alert-rules";
import type { WebhookNotifier } from "./alert-webhook";
import type { WindowFigures } from "./execution-window";

/** The fleet-wide observations one tick can make without per-container stats. */
export function fleetObservations(status: EngineStatus | undefined, figures: WindowFigures): Observation[] {
  const out: Observation[] = [{ rule: "error_rate", subject: "fleet", value: figures.errorRate }];
  if (status) out.push({ rule: "concurrent_sandboxes", subject: "fleet", value: status.pool.leased });
  return out;
}

export interface AlertMonitor {
  /** Feeds one tick; returns the transitions after logging and queueing their webhook. */
  tick(observations: readonly Observation[], at?: Date): AlertTransition[];
  machine: AlertStateMachine;
}

/**
 * Glue between the pure state machine and its side effects. `onTransition` is where the lead
 * stores alerts (repository) — it is called without awaiting, and its failure is logged, so a
 * slow database never delays the collector's tick.
 */
export function createAlertMonitor(opts: {
  policy: AlertPolicy;
  notifier: WebhookNotifier | null;
  onTransition?: (t: AlertTransition) => Promise<void>;
}): AlertMonitor {
  const machine = new AlertStateMachine(opts.policy);
  const log = getLogger().child({ component: "alerts" });
  return {
    machine,
    tick(observations, at = new Date()) {
      const transitions = machine.observe(observations, at);
      for (const t of transitions) {
        log[t.kind === "raised" ? "warn" : "info"]({ alert: t.rule, subject: t.subject, value: t.value, threshold: t.threshold }, t.message);
        opts.notifier?.notify({ ...t, at: t.at.toISOString(), since: t.since.toISOString(), service: "pantheon-sandbox" });
        const store = opts.onTransition;
        if (store)
          void Promise.resolve(t)
            .then(store)
            .catch((e: unknown) => log.error({ err: e, alert: t.rule }, "storing an alert failed"));
      }
      return transitions;
    },
  };
}
