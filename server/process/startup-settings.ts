import { liveEnv } from "@/lib/env";
import { getAppRuntime, type StartupSettings } from "./app-runtime";

// What start-up resolves that the environment may not say: the database URL (the embedded
// PostgreSQL's when DATABASE_URL is unset), the public URL, the auth secret (generated into the
// data folder when NEXTAUTH_SECRET is unset). server/main.ts and the admin CLI publish them in the
// process registry, where the route bundles find them too; nothing writes them back into
// process.env. A process that published none (tests, scripts) has them from its environment,
// read through lib/env.ts as it is now (test set-up writes DATABASE_URL and NEXTAUTH_SECRET).

export function publishStartupSettings(settings: StartupSettings): void {
  const runtime = getAppRuntime();
  runtime.startup = { ...runtime.startup, ...settings };
}

export function databaseUrl(): string | undefined {
  return getAppRuntime().startup?.databaseUrl ?? liveEnv("DATABASE_URL");
}

export function publicUrl(): string | undefined {
  return getAppRuntime().startup?.publicUrl ?? liveEnv("NEXTAUTH_URL");
}

export function authSecret(): string | undefined {
  return getAppRuntime().startup?.authSecret ?? liveEnv("NEXTAUTH_SECRET");
}
