import { ZodError } from "zod";
import { recordRejectedPaths } from "@/server/monitoring/security-events";

/** How many input paths a validation error refused by the file path rules (flagged in filePathSchema). */
export function rejectedPathCount(err: unknown): number {
  if (!(err instanceof ZodError)) return 0;
  return err.issues.filter((i) => i.code === "custom" && (i.params as { rejectedPath?: unknown } | undefined)?.rejectedPath === true).length;
}

/**
 * Counts refused paths against the signed-in caller for anomaly detection. Only per user: the
 * input has not passed the project access check yet, so a project named in it may not be theirs.
 */
export function countRejectedPaths(err: unknown, user: { id: number } | null | undefined): void {
  const n = rejectedPathCount(err);
  if (n > 0 && user) recordRejectedPaths({ userId: user.id, projectId: null }, n);
}
