import { alertRepository } from "@/server/repositories/alert-repository";
import type { AlertTransition } from "./alert-rules";

/** The `onTransition` of createAlertMonitor that keeps alerts in the database. */
export async function storeAlertTransition(t: AlertTransition): Promise<void> {
  if (t.kind === "raised") {
    await alertRepository.raise({ rule: t.rule, subject: t.subject, value: t.value, threshold: t.threshold, message: t.message, raisedAt: t.at });
  } else {
    await alertRepository.resolve({ rule: t.rule, subject: t.subject, peak: t.peak, resolvedAt: t.at });
  }
}
