import { z } from "zod";
import { AppError } from "@/server/errors/app-error";
import { type AuthUser, asRole, sessionScopes } from "@/server/auth/auth-user";
import { dummyPasswordHash, hashPassword, verifyPassword } from "@/server/auth/password";
import { recordFailedSignIn } from "@/server/monitoring/security-events";
import { type UserRecord, userRepository } from "@/server/repositories/user-repository";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "must be a valid email address" }).max(320));
export const passwordSchema = z.string().min(8, "must be at least 8 characters").max(200, "must be at most 200 characters");

export const signUpInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().max(100).optional(),
});
export type SignUpInput = z.infer<typeof signUpInput>;

export async function createUser(input: SignUpInput, role: "user" | "admin" = "user"): Promise<UserRecord> {
  const { email, password, name } = signUpInput.parse(input);
  const user = await userRepository.create({ email, name: name || null, passwordHash: await hashPassword(password), role });
  if (!user) throw new AppError("CONFLICT", `An account with the email ${email} already exists; sign in instead`);
  return user;
}

/** The user whose password matches, or null; both failure paths cost one argon2 verify. */
export async function verifyCredentials(email: string, password: string): Promise<UserRecord | null> {
  const parsed = emailSchema.safeParse(email);
  const found = parsed.success ? await userRepository.findCredentialsByEmail(parsed.data) : null;
  if (!found) {
    await verifyPassword(await dummyPasswordHash(), password);
    recordFailedSignIn({ userId: null, email: parsed.success ? parsed.data : null });
    return null;
  }
  const { passwordHash, ...user } = found;
  if (await verifyPassword(passwordHash, password)) return user;
  recordFailedSignIn({ userId: user.id, email: user.email });
  return null;
}

export async function sessionUser(userId: number): Promise<AuthUser | null> {
  const user = await userRepository.findById(userId);
  if (!user) return null;
  const role = asRole(user.role);
  return { id: user.id, email: user.email, role, via: "session", scopes: sessionScopes(role), apiKeyId: null, defaultAiPersonality: null };
}
