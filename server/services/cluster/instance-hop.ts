import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { API_SCOPES, type AuthUser } from "@/server/auth/auth-user";

// A request one instance sends another (SCALE.md, "Feeds, shells and previews through any
// instance"): the receiving instance has already authenticated the caller, and the hop carries
// what it decided — who the caller is, for what — signed with a key every replica derives from
// the app's secret (NEXTAUTH_SECRET, which replicas share anyway: a session made by one is good
// on the others). Nobody without that secret can make a hop, so the internal routes cannot be
// used to act as a user from outside; a hop is bound to its method and path (a captured one opens
// nothing else) and lives HOP_TTL_SECONDS (a captured one is soon useless).

export const HOP_HEADER = "x-pantheon-hop";
/** Long enough for a peer's clock skew and a slow connect; short enough that a leaked header is soon dead. */
export const HOP_TTL_SECONDS = 30;
const VERSION = "hop1";
const MAX_HEADER_LENGTH = 4096;

const claimsSchema = z.object({
  /** The sending instance. */
  from: z.string().min(1).max(40),
  method: z.string().min(1).max(10),
  /** The path and query the hop opens, exactly. */
  path: z.string().min(1).max(2048),
  /** Seconds since the epoch. */
  exp: z.number().int().positive(),
  /** The caller the sending instance authenticated, when the route acts as one (shells). */
  user: z
    .object({
      id: z.number().int().positive(),
      email: z.string().max(320),
      role: z.enum(["user", "admin"]),
      via: z.enum(["session", "api_key"]),
      scopes: z.array(z.enum(API_SCOPES)).max(API_SCOPES.length),
      apiKeyId: z.number().int().positive().nullable(),
      defaultAiPersonality: z.string().max(100).nullable(),
      name: z.string().max(200).nullish(),
    })
    .nullable(),
});
export type HopClaims = z.infer<typeof claimsSchema>;

/** A key of its own, derived from the app's secret: a hop can never pass for a session or a preview token. */
export function hopKey(appSecret: string): Buffer {
  if (appSecret.length < 32) throw new Error("instance hops need the app's secret (NEXTAUTH_SECRET, at least 32 characters), the same on every replica");
  return createHmac("sha256", appSecret).update("pantheon instance hop v1").digest();
}

const mac = (key: Buffer, body: string) => createHmac("sha256", key).update(`${VERSION}.${body}`).digest();

export function signHop(key: Buffer, claims: Omit<HopClaims, "exp">, now = Date.now()): string {
  const full: HopClaims = { ...claims, exp: Math.floor(now / 1000) + HOP_TTL_SECONDS };
  const body = Buffer.from(JSON.stringify(full)).toString("base64url");
  return `${VERSION}.${body}.${mac(key, body).toString("base64url")}`;
}

/** The hop's claims when its signature holds, it has not expired, and it names this method and path; else null. */
export function verifyHop(key: Buffer, header: string | undefined, method: string, path: string, now = Date.now()): HopClaims | null {
  if (!header || header.length > MAX_HEADER_LENGTH) return null;
  const [version, body, signature, extra] = header.split(".");
  if (version !== VERSION || !body || !signature || extra !== undefined) return null;
  const expected = mac(key, body);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let claims: HopClaims;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
  } catch {
    return null;
  }
  if (claims.exp * 1000 < now || claims.method !== method || claims.path !== path) return null;
  return claims;
}

/** The caller a hop carries, as the routes take it. */
export function hopUser(claims: HopClaims): AuthUser | null {
  return claims.user && { ...claims.user };
}
