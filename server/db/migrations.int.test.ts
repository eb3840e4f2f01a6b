import { readdirSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { diffDatabaseToSchema, MIGRATIONS_DIR, migrateDatabase } from "./migrate";

// A database of its own, migrated from scratch: other suites add tables of their own to the
// shared test database (e.g. rate limiters with per-test table names), which is not drift.
const shared = inject("databaseUrl");
const url = shared.replace(/\/[^/]+$/, "/migrations_check");
const client = new pg.Client(url);
beforeAll(async () => {
  const admin = new pg.Client(shared);
  await admin.connect();
  await admin.query("DROP DATABASE IF EXISTS migrations_check");
  await admin.query("CREATE DATABASE migrations_check");
  await admin.end();
  await migrateDatabase(url);
  await client.connect();
});
afterAll(() => client.end());

describe("migrations", () => {
  it("leave no drift: the migrated database is exactly what schema.prisma describes", async () => {
    expect(await diffDatabaseToSchema(url)).toBe("");
  });

  it("detect drift when the database differs from schema.prisma", async () => {
    await client.query("ALTER TABLE sandbox_metrics ADD COLUMN drift_probe INTEGER");
    try {
      expect(await diffDatabaseToSchema(url)).toMatch(/DROP COLUMN "drift_probe"/);
    } finally {
      await client.query("ALTER TABLE sandbox_metrics DROP COLUMN drift_probe");
    }
  });

  it("are recorded in _prisma_migrations as prisma migrate does, and re-running applies nothing", async () => {
    const dirs = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const { rows } = await client.query<{ migration_name: string; finished_at: Date | null; checksum: string }>(
      "SELECT migration_name, finished_at, checksum FROM _prisma_migrations ORDER BY migration_name",
    );
    expect(rows.map((r) => r.migration_name)).toEqual(dirs);
    for (const row of rows) {
      expect(row.finished_at).not.toBeNull();
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(await migrateDatabase(url)).toEqual([]);
  });

  it("keep the seed's table names, cascades and indexes", async () => {
    const { rows: tables } = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    const names = tables.map((t) => t.table_name);
    for (const t of ["sandbox_projects", "sandbox_files", "sandbox_executions", "sandbox_metrics", "users", "api_keys"]) expect(names).toContain(t);

    const { rows: fks } = await client.query<{ table_name: string; delete_rule: string }>(
      `SELECT tc.table_name, rc.delete_rule FROM information_schema.referential_constraints rc
       JOIN information_schema.table_constraints tc ON tc.constraint_name = rc.constraint_name
       WHERE tc.table_name IN ('sandbox_files','sandbox_executions','sandbox_metrics') AND rc.unique_constraint_name = 'sandbox_projects_pkey'`,
    );
    expect(fks.map((f) => `${f.table_name}:${f.delete_rule}`).sort()).toEqual([
      "sandbox_executions:CASCADE",
      "sandbox_files:CASCADE",
      "sandbox_metrics:CASCADE",
    ]);

    const { rows: indexes } = await client.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'");
    const idx = indexes.map((i) => i.indexname);
    for (const i of [
      "idx_sandbox_projects_user",
      "idx_sandbox_files_project",
      "idx_sandbox_executions_project",
      "idx_sandbox_metrics_project_time",
      "sandbox_files_project_id_file_path_key",
    ])
      expect(idx).toContain(i);
  });
});
