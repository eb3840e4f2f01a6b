import { parseArgs } from "node:util";
import { z } from "zod";
import { getEnv } from "@/lib/env";
import { disconnectPrisma } from "@/server/db/client";
import { migrateDatabase } from "@/server/db/migrate";
import { type ResolvedDatabase, resolveDatabase } from "@/server/db/resolve-database";
import { AppError } from "@/server/errors/app-error";
import { createLogger } from "@/server/logging/logger";
import { publishStartupSettings } from "@/server/process/startup-settings";
import { userRepository } from "@/server/repositories/user-repository";
import { createApiKey, revokeApiKey } from "@/server/services/users/api-key-service";
import { createUser, resetPassword, setUserDisabled } from "@/server/services/users/user-service";

const USAGE = `usage:
  npm run admin -- create-user --email E --password P [--name N] [--admin]
  npm run admin -- create-api-key --email E --name N [--scopes a,b] [--ai geppo] [--expires-days D]
  npm run admin -- revoke-api-key --prefix psk_xxxxxxxx
  npm run admin -- set-role --email E --role user|admin
  npm run admin -- set-password --email E --password P     (ends the user's sessions)
  npm run admin -- disable-user --email E                  (refuses sign-in, sessions and API keys)
  npm run admin -- enable-user --email E

Passwords: at least 12 characters, not one of the common passwords of known breaches.`;

// stdout carries the command's answer alone (an API key is its last line); everything else the
// CLI says is a log line of the one shape (server/logging/) on stderr.
const log = createLogger({ stderr: true, bindings: { component: "admin-cli" } });
const answer = (line: string) => void process.stdout.write(`${line}\n`);

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: "string" },
    password: { type: "string" },
    name: { type: "string" },
    admin: { type: "boolean", default: false },
    scopes: { type: "string" },
    ai: { type: "string" },
    "expires-days": { type: "string" },
    prefix: { type: "string" },
    role: { type: "string" },
  },
});

function need(name: keyof typeof values): string {
  const v = values[name];
  if (typeof v !== "string" || !v) throw new AppError("BAD_REQUEST", `--${name} is required\n${USAGE}`);
  return v;
}

async function findUserId(email: string): Promise<{ id: number; role: string }> {
  const user = await userRepository.findByEmail(email.trim().toLowerCase());
  if (!user) throw new AppError("NOT_FOUND", `no user with email ${email}`);
  return user;
}

async function run(command: string | undefined): Promise<void> {
  switch (command) {
    case "create-user": {
      const user = await createUser({ email: need("email"), password: need("password"), name: values.name }, values.admin ? "admin" : "user");
      answer(`created ${user.role} ${user.email} (id ${user.id})`);
      return;
    }
    case "create-api-key": {
      const owner = await findUserId(need("email"));
      const { key, record } = await createApiKey(owner, {
        name: need("name"),
        scopes: values.scopes ? (values.scopes.split(",").map((s) => s.trim()) as never) : undefined,
        defaultAiPersonality: values.ai as never,
        expiresInDays: values["expires-days"] ? Number(values["expires-days"]) : undefined,
      });
      answer(`created API key ${record.prefix} (${record.name}) with scopes ${record.scopes.join(", ")}; it is shown once:`);
      answer(key);
      return;
    }
    case "revoke-api-key": {
      await revokeApiKey(need("prefix"));
      answer(`revoked ${values.prefix}`);
      return;
    }
    case "set-role": {
      const role = z.enum(["user", "admin"]).parse(need("role"));
      const user = await findUserId(need("email"));
      await userRepository.setRole(user.id, role);
      answer(`${values.email} is now ${role}`);
      return;
    }
    case "set-password": {
      const user = await resetPassword(need("email"), need("password"));
      answer(`${user.email}: password set; every session of this account has ended`);
      return;
    }
    case "disable-user":
    case "enable-user": {
      const disabled = command === "disable-user";
      const user = await setUserDisabled((await findUserId(need("email"))).id, disabled);
      answer(
        disabled
          ? `${user.email} is disabled: sign-in, sessions and API keys are refused`
          : `${user.email} is enabled again (API keys work again; sign in anew)`,
      );
      return;
    }
    default:
      throw new AppError("BAD_REQUEST", USAGE);
  }
}

// Beside a running server, use its database: a second PostgreSQL cannot open the same data folder.
let db: ResolvedDatabase | null = null;
let exitCode = 0;
try {
  db = await resolveDatabase(getEnv(), (line) => log.info(line), { shareRunning: true });
  publishStartupSettings({ databaseUrl: db.url });
  await migrateDatabase(db.url);
  await run(positionals[0]);
} catch (e) {
  exitCode = 1;
  log.error(`error: ${cliMessage(e)}`);
} finally {
  await disconnectPrisma();
  await db?.stop();
}
process.exit(exitCode);

/** One line for the operator; a stack trace says nothing they can act on. */
function cliMessage(e: unknown): string {
  if (e instanceof z.ZodError) return e.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  if (e instanceof AppError) return e.message;
  const code = (e as { code?: unknown } | null)?.code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "28P01" || code === "3D000") {
    return `cannot reach the database (${e instanceof Error ? e.message : String(e)}); is DATABASE_URL right and is the server up?`;
  }
  return e instanceof Error ? e.message || e.name : String(e);
}
