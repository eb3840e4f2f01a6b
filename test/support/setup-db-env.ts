import { inject } from "vitest";

// Workers read the database the global setup started; services find it through DATABASE_URL.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.NEXTAUTH_SECRET ??= "integration-test-secret-with-at-least-32-chars";

// The creation windows are global (one "all" key in the shared rate_limits table), so every file
// that creates projects counts against every other file in the same minute. Test files create far
// more than the seed's 20 per minute; the limits get their own tests, which lower these themselves.
// Here, not in a helper some files happen to import: a file without it met 429 on create (CI flake).
process.env.SANDBOX_RATE_CREATE_PER_MINUTE ??= "100000";
process.env.SANDBOX_RATE_CREATE_PER_HOUR ??= "1000000";
process.env.SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE ??= "100000";
process.env.SANDBOX_RATE_CREATE_PER_USER_PER_MINUTE ??= "100000";
process.env.SANDBOX_RATE_CREATE_PER_USER_PER_HOUR ??= "1000000";
