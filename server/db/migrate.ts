import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { NO_FILTER, withSchemaEngine } from "./schema-engine";

// Applies prisma/migrations in order and records each in _prisma_migrations, the way
// `prisma migrate deploy` does (same engine, same table), so either tool can follow the other.

const ROOT = resolve(import.meta.dirname, "../..");
export const SCHEMA_PATH = join(ROOT, "prisma/schema.prisma");
export const MIGRATIONS_DIR = join(ROOT, "prisma/migrations");

export function loadMigrationList(dir = MIGRATIONS_DIR) {
  // Paths relative to baseDir, as the Prisma CLI passes them: the directory name is the
  // migration's name in _prisma_migrations.
  const lockPath = join(dir, "migration_lock.toml");
  const migrationDirectories = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const file = join(dir, name, "migration.sql");
      return {
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: existsSync(file) ? { tag: "ok", value: readFileSync(file, "utf8") } : { tag: "error", value: `missing ${file}` },
        },
      };
    });
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

function datamodel() {
  return { path: SCHEMA_PATH, content: readFileSync(SCHEMA_PATH, "utf8") };
}

/** Returns the names of the migrations it applied (empty when the database was up to date). */
export async function migrateDatabase(url: string): Promise<string[]> {
  return withSchemaEngine(url, datamodel(), async (engine) => {
    const out = await engine.applyMigrations({ migrationsList: loadMigrationList(), filters: NO_FILTER });
    return out.appliedMigrationNames;
  });
}

/**
 * The SQL that would take the live database to what schema.prisma says; empty when they match.
 * Used by the drift test and by `npm run db:migration -- NAME` to write a new migration.
 */
export async function diffDatabaseToSchema(url: string): Promise<string> {
  return withSchemaEngine(url, datamodel(), async (engine) => {
    const out = await engine.diff({
      from: { tag: "schemaDatasource", files: [datamodel()], configDir: ROOT },
      to: { tag: "schemaDatamodel", files: [datamodel()] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    return stripNoise(out.stdout ?? "");
  });
}

/** The engine prefixes every script with an idempotent CREATE SCHEMA; it is not a change. */
function stripNoise(sql: string): string {
  return sql
    .replace(/-- CreateSchema\s*\nCREATE SCHEMA IF NOT EXISTS "public";\s*/g, "")
    .replace(/^-- This is an empty migration\.\s*$/m, "")
    .trim();
}
