import { createHmac, timingSafeEqual } from "node:crypto";

// Signed tokens that open one preview without the app's session cookie (PREVIEW.md,
// "Authentication"). A "handoff" token is short-lived and travels in the iframe's first URL; the
// preview exchanges it for a "cookie" token kept in an httpOnly cookie of its own. Both are bound
// to one process, one preview slot (listener port or host label) and one user, and carry what the
// holder may do: "read" (GET, HEAD, OPTIONS) and, from executions:run, "run" (anything else).

export type PreviewTokenKind = "handoff" | "cookie";
export type PreviewScope = "read" | "run";

export interface PreviewTokenClaims {
  kind: PreviewTokenKind;
  processId: number;
  slot: number;
  userId: number;
  /** The user's session version when the link was made: a sign-out or password change ends the preview too. */
  sessionVersion: number;
  scopes: PreviewScope[];
  /** Seconds since the epoch. */
  expiresAt: number;
}

export const HANDOFF_TTL_SECONDS = 120;
export const COOKIE_TTL_SECONDS = 8 * 3600;
const VERSION = "pv1";
/** Longer input is refused before any work (cookie headers are attacker-controlled). */
const MAX_TOKEN_LENGTH = 512;

/** A key of its own, derived from the app's secret: a preview token can never pass for a session JWT, nor the reverse. */
export function previewTokenKey(appSecret: string): Buffer {
  if (appSecret.length < 32) throw new Error("the preview token key needs the app's secret (NEXTAUTH_SECRET, at least 32 characters)");
  return createHmac("sha256", appSecret).update("pantheon preview token v1").digest();
}

const mac = (key: Buffer, body: string) => createHmac("sha256", key).update(`${VERSION}.${body}`).digest();

export function signPreviewToken(key: Buffer, claims: PreviewTokenClaims): string {
  const body = Buffer.from(
    JSON.stringify({ k: claims.kind, p: claims.processId, s: claims.slot, u: claims.userId, v: claims.sessionVersion, sc: claims.scopes, e: claims.expiresAt }),
  ).toString("base64url");
  return `${VERSION}.${body}.${mac(key, body).toString("base64url")}`;
}

const positiveInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;

/**
 * The claims of a token signed with `key`, of `kind`, not expired at `nowSeconds`; null for
 * anything else (tampered, truncated, another kind, malformed). Never throws.
 */
export function verifyPreviewToken(key: Buffer, token: string, kind: PreviewTokenKind, nowSeconds: number): PreviewTokenClaims | null {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return null;
  const [version, body, signature, ...rest] = token.split(".");
  if (version !== VERSION || !body || !signature || rest.length) return null;
  const given = Buffer.from(signature, "base64url");
  const expected = mac(key, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null) return null;
  const { k, p, s, u, v, sc, e } = raw as Record<string, unknown>;
  if (k !== kind || !positiveInt(p) || !positiveInt(s) || !positiveInt(u) || !positiveInt(e)) return null;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) return null;
  if (!Array.isArray(sc) || !sc.every((x) => x === "read" || x === "run")) return null;
  if (e <= nowSeconds) return null;
  return { kind, processId: p, slot: s, userId: u, sessionVersion: v, scopes: [...new Set(sc as PreviewScope[])], expiresAt: e };
}
