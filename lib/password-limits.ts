// The password length limits, shared by the server's policy (server/auth/password-policy.ts)
// and the forms' input attributes; the common-password check runs on the server only.
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;
