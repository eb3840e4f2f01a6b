import { inject } from "vitest";

// Workers read the database the global setup started; services find it through DATABASE_URL.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.NEXTAUTH_SECRET ??= "integration-test-secret-with-at-least-32-chars";
