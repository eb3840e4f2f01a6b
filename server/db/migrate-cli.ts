import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getEnv } from "@/lib/env";
import { getLogger } from "@/server/logging/logger";
import { resolveDatabase } from "./resolve-database";
import { diffDatabaseToSchema, MIGRATIONS_DIR, migrateDatabase } from "./migrate";

// npm run db:migrate                 apply pending migrations (embedded database when DATABASE_URL is unset)
// npm run db:migrate -- new NAME     write prisma/migrations/<timestamp>_NAME from the diff between
//                                    the migrated database and schema.prisma
const [command = "deploy", name] = process.argv.slice(2);
const log = getLogger().child({ component: "migrate-cli" });
const db = await resolveDatabase(getEnv(), (line) => log.info(line));
try {
  const applied = await migrateDatabase(db.url);
  log.info(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
  if (command === "new") {
    if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error("usage: npm run db:migrate -- new <snake_case_name>");
    const sql = await diffDatabaseToSchema(db.url);
    if (!sql) {
      log.info("schema.prisma matches the database: no migration written");
    } else {
      const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
      const dir = join(MIGRATIONS_DIR, `${stamp}_${name}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "migration.sql"), `${sql}\n`);
      log.info(`wrote ${dir}/migration.sql`);
    }
  } else if (command !== "deploy") {
    throw new Error(`unknown command ${command}`);
  }
} finally {
  await db.stop();
}
