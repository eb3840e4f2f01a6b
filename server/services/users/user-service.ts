import { createHash } from "node:crypto";
import { z } from "zod";
import { AppError } from "@/server/errors/app-error";
import { type AuthUser, asRole, sessionScopes } from "@/server/auth/auth-user";
import { dummyPasswordHash, hashPassword, verifyPassword } from "@/server/auth/password";
import { PASSWORD_MAX_LENGTH, passwordProblem } from "@/server/auth/password-policy";
import { recordFailedSignIn } from "@/server/monitoring/security-events";
import { type UserRecord, userRepository } from "@/server/repositories/user-repository";
import { getRateLimits } from "@/server/process/rate-limits-runtime";
import { getApiKeyCache } from "./auth-invalidation";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "must be a valid email address" }).max(320));

/** A new password: the policy (password-policy.ts) checked with the account's email as context. */
function withPasswordPolicy<T extends { email: string; password: string }>(schema: z.ZodType<T>) {
  return schema.superRefine((value, ctx) => {
    const problem = passwordProblem(value.password, { email: value.email });
    if (problem) ctx.addIssue({ code: "custom", path: ["password"], message: problem });
  });
}

export const signUpInput = withPasswordPolicy(
  z.object({
    email: emailSchema,
    password: z.string(),
    name: z.string().trim().max(100).optional(),
  }),
);
export type SignUpInput = z.infer<typeof signUpInput>;

/** Creates an account (admin CLI, tests): an existing email is a CONFLICT, said plainly. */
/** Users for the admin's list, oldest first (the repository's order). */
export function listUsers(opts: { take: number; skip: number }): Promise<UserRecord[]> {
  return userRepository.list(opts);
}

export async function createUser(input: SignUpInput, role: "user" | "admin" = "user"): Promise<UserRecord> {
  const { email, password, name } = signUpInput.parse(input);
  const user = await userRepository.create({ email, name: name || null, passwordHash: await hashPassword(password), role });
  if (!user) throw new AppError("CONFLICT", `An account with the email ${email} already exists; sign in instead`);
  return user;
}

/**
 * Self-service sign-up. The answer is the same whether the email was free or taken, and so is
 * the work done (one argon2 hash, one INSERT that either lands or meets the unique index), so
 * neither the response nor its timing tells a stranger which emails have accounts. For a taken
 * email nothing changes; its owner signs in as before. Without mail we cannot send "you already
 * have an account": the sign-up form then tries to sign in with what was typed, which works for
 * the owner and fails, as any wrong password does, for anyone else.
 */
export async function signUp(input: SignUpInput): Promise<void> {
  const { email, password, name } = signUpInput.parse(input);
  await userRepository.create({ email, name: name || null, passwordHash: await hashPassword(password), role: "user" });
}

/** sha256 of the normalised email: the throttle table need not hold the addresses people typed. */
function accountThrottleKey(email: string): string {
  return createHash("sha256").update(email.trim().toLowerCase()).digest("hex");
}

/**
 * The user whose password matches, or null; every path costs one argon2 verify. Throttled per
 * account and per client (`clientKey`, see client-address.ts): past either budget the attempt is
 * refused with TOO_MANY_REQUESTS before any password is checked. A disabled account is refused
 * like a wrong password, so sign-in does not reveal that it exists.
 */
export async function verifyCredentials(email: string, password: string, clientKey = "unknown"): Promise<UserRecord | null> {
  const limits = await getRateLimits();
  const accountKey = accountThrottleKey(email);
  await limits.consumeSignInAttempt(accountKey, clientKey);
  const parsed = emailSchema.safeParse(email);
  const found = parsed.success && password.length <= PASSWORD_MAX_LENGTH ? await userRepository.findCredentialsByEmail(parsed.data) : null;
  if (!found) {
    await verifyPassword(await dummyPasswordHash(), password);
    recordFailedSignIn({ userId: null, email: parsed.success ? parsed.data : null });
    return null;
  }
  const { passwordHash, ...user } = found;
  if ((await verifyPassword(passwordHash, password)) && !user.disabledAt) {
    await limits.signInSucceeded(accountKey, clientKey);
    return user;
  }
  recordFailedSignIn({ userId: user.id, email: user.email });
  return null;
}

/**
 * The user a session token names, if that session still holds: the account exists, is not
 * disabled, and its session version is the one the token carries (sign-out, a password change
 * and disabling bump it, ending every earlier session). Otherwise the reason, for the 401.
 */
export async function sessionUser(userId: number, sessionVersion: number): Promise<{ user: AuthUser } | { reason: string }> {
  const user = await userRepository.findById(userId);
  if (!user) return { reason: "Your session refers to an account that no longer exists; sign in again" };
  if (user.disabledAt) return { reason: "This account is disabled" };
  if (user.sessionVersion !== sessionVersion) return { reason: "Your session has ended (signed out, or the password changed); sign in again" };
  const role = asRole(user.role);
  return {
    user: { id: user.id, email: user.email, name: user.name, role, via: "session", scopes: sessionScopes(role), apiKeyId: null, defaultAiPersonality: null },
  };
}

/**
 * The user behind a credential minted from a session that carries no session version (preview
 * tokens, server/services/processes/preview-access.ts): null when the account is gone or
 * disabled. Sign-out and password changes do not reach such a credential; it expires on its own.
 */
export async function activeUser(userId: number): Promise<(AuthUser & { sessionVersion: number }) | null> {
  const user = await userRepository.findById(userId);
  if (!user || user.disabledAt) return null;
  const role = asRole(user.role);
  return {
    id: user.id,
    email: user.email,
    role,
    via: "session",
    scopes: sessionScopes(role),
    apiKeyId: null,
    defaultAiPersonality: null,
    sessionVersion: user.sessionVersion,
  };
}

/** Ends every session of the user, unless a newer sign-in already moved the version on. */
export async function endSessions(userId: number, sessionVersion?: number): Promise<void> {
  await userRepository.endSessions(userId, sessionVersion);
}

export const changePasswordInput = z.object({
  currentPassword: z.string().max(PASSWORD_MAX_LENGTH),
  newPassword: z.string(),
});

/**
 * Changes the password of a signed-in user who proves the current one, and ends every session
 * (this one too: the browser signs in again with the new password). Throttled like a sign-in,
 * so a stolen session cannot be used to guess the password.
 */
export async function changePassword(user: AuthUser, input: z.infer<typeof changePasswordInput>, clientKey = "unknown"): Promise<void> {
  const { currentPassword, newPassword } = changePasswordInput.parse(input);
  const problem = passwordProblem(newPassword, { email: user.email });
  if (problem) throw new AppError("BAD_REQUEST", `The new password ${problem}`);
  const limits = await getRateLimits();
  const accountKey = accountThrottleKey(user.email);
  await limits.consumeSignInAttempt(accountKey, clientKey);
  const found = await userRepository.findPasswordHash(user.id);
  if (!found || !(await verifyPassword(found.passwordHash, currentPassword))) {
    recordFailedSignIn({ userId: user.id, email: user.email });
    throw new AppError("FORBIDDEN", "The current password is wrong");
  }
  await limits.signInSucceeded(accountKey, clientKey);
  await userRepository.setPassword(user.id, await hashPassword(newPassword));
}

/** Admin: sets a user's password (policy applies), ending their sessions. */
export async function resetPassword(email: string, newPassword: string): Promise<UserRecord> {
  const user = await requireUserByEmail(email);
  const problem = passwordProblem(newPassword, { email: user.email });
  if (problem) throw new AppError("BAD_REQUEST", `The password ${problem}`);
  return userRepository.setPassword(user.id, await hashPassword(newPassword));
}

/** Admin: disables (refusing sign-in, sessions and API keys) or re-enables an account. */
export async function setUserDisabled(userId: number, disabled: boolean): Promise<UserRecord> {
  const user = await userRepository.findById(userId);
  if (!user) throw new AppError("NOT_FOUND", `No user with id ${userId}`);
  const changed = await userRepository.setDisabled(userId, disabled);
  // This instance's kept keys of the account go at once; the others hear the database's announcement.
  getApiKeyCache().forgetUser(userId);
  return changed;
}

export async function requireUserByEmail(email: string): Promise<UserRecord> {
  const parsed = emailSchema.safeParse(email);
  const user = parsed.success ? await userRepository.findByEmail(parsed.data) : null;
  if (!user) throw new AppError("NOT_FOUND", `No user with email ${email}`);
  return user;
}
