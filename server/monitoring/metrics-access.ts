import { createHash, timingSafeEqual } from "node:crypto";
import { resolveCaller } from "@/server/auth/resolve-caller";
import { liveEnv } from "@/lib/env";

/** Constant-time equality; hashing first makes the comparison independent of the lengths too. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Who may scrape: a Prometheus server with SANDBOX_METRICS_TOKEN (checked first, so a scrape
 * never touches the database), or an admin (session, or API key with the admin scope). An
 * unset or blank token disables that path rather than matching an empty header.
 */
export async function mayReadMetrics(headers: Headers, scrapeToken: string | undefined = liveEnv("SANDBOX_METRICS_TOKEN")): Promise<boolean> {
  const authorization = headers.get("authorization");
  const token = scrapeToken?.trim();
  if (token && authorization?.startsWith("Bearer ") && tokenMatches(authorization.slice("Bearer ".length).trim(), token)) return true;
  const { user } = await resolveCaller(headers);
  return user !== null && user.role === "admin" && user.scopes.includes("admin");
}
