import { dictionary } from "@zxcvbn-ts/language-common";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/password-limits";

// NIST SP 800-63B (§3.1.1.2, rev. 4): a length floor, a generous ceiling, every character
// allowed, no composition rules, and a check against passwords known from breaches. The floor is
// 12 (NIST asks 15 for a password that is the only factor; 12 is where the common lists thin out:
// of the ~49,000 entries below, about 300 are that long). The ceiling bounds hashing input.
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH };

// The most common passwords of real breaches (Xato's 10 million password corpus, as packaged
// for zxcvbn by @zxcvbn-ts/language-common, MIT licence), shipped offline with the package.
// Lower-cased entries; compared lower-cased.
const COMMON = new Set<string>(dictionary["passwords-common"]);

/** Leading and trailing digits, spaces and punctuation, the decoration people add to a common word. */
const DECORATION = /^[\d\s\p{P}\p{S}]+|[\d\s\p{P}\p{S}]+$/gu;

/** Why this password is refused, or null. `context` holds words of the account (its email). */
export function passwordProblem(password: string, context: { email?: string } = {}): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = password.toLowerCase();
  const core = lower.replace(DECORATION, "");
  if (COMMON.has(lower) || COMMON.has(core)) return "is one of the most common passwords from known breaches; choose another";
  // "aaaaaaaaaaaa", "abcabcabcabc", "1212121212121": one short unit repeated.
  if (/^(.{1,4})\1+$/su.test(lower)) return "must not be one short sequence repeated";
  const email = context.email?.toLowerCase();
  const local = email?.split("@")[0];
  if (email && (lower === email || (local && local.length >= 4 && core === local))) return "must not be your email address";
  return null;
}
