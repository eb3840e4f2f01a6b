import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { getLogger } from "@/server/logging/logger";
import { bindMigrationAwareSqlAdapterFactory, type SqlDriverAdapter } from "@prisma/driver-adapter-utils";
import { liveEnv } from "@/lib/env";

// Prisma's schema engine compiled to WebAssembly (npm @prisma/schema-engine-wasm), driven
// through the pg driver adapter. It applies migrations and diffs schemas exactly as
// `prisma migrate` does, on machines where the native schema-engine binary cannot be
// downloaded. The package is built for bundlers (it imports a .wasm), so we instantiate it.

type WasmSchemaEngine = {
  applyMigrations(input: unknown): Promise<{ appliedMigrationNames: string[] }>;
  diff(input: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
};
type SchemaEngineModule = {
  SchemaEngine: { new: (options: unknown, log: (message: string) => void, adapter: object) => Promise<WasmSchemaEngine> };
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
};

let loaded: Promise<SchemaEngineModule> | undefined;

// The wasm module reports a Rust panic's text here before it traps (logged when DEBUG_SCHEMA_ENGINE is set).
(globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY = {
  set_message(message: string) {
    if (liveEnv("DEBUG_SCHEMA_ENGINE")) getLogger().warn({ component: "schema-engine" }, `schema engine panic: ${message}`);
  },
};

async function loadModule(): Promise<SchemaEngineModule> {
  const bg = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as unknown as SchemaEngineModule;
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/\.js$/, ".wasm");
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { "./schema_engine_bg.js": bg as unknown as WebAssembly.ModuleImports });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return bg;
}

export const NO_FILTER = { externalTables: [], externalEnums: [] };

/** Opens the schema engine on `url`, runs `fn`, and always releases the connection. */
export async function withSchemaEngine<T>(url: string, datamodel: { path: string; content: string }, fn: (engine: WasmSchemaEngine) => Promise<T>): Promise<T> {
  loaded ??= loadModule();
  const { SchemaEngine } = await loaded;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const typeCharColumns = readCharColumnsAsCharacter(pool);
  const pgFactory = new PrismaPg(pool);
  const factory = Object.assign(Object.create(pgFactory) as PrismaPg, {
    connect: async () => typeCharColumns(await pgFactory.connect()),
    connectToShadowDb: async () => typeCharColumns(await pgFactory.connectToShadowDb()),
  });
  const engine = await SchemaEngine.new({ datamodels: [[datamodel.path, datamodel.content]] }, () => {}, bindMigrationAwareSqlAdapterFactory(factory));
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await pool.end();
  }
}

const PG_CHAR_OID = 18; // the one-byte "char" of pg_catalog, e.g. pg_constraint.contype
const PG_TEXT_OID = 25;
const CHARACTER_COLUMN = 6; // ColumnTypeEnum.Character of @prisma/driver-adapter-utils

/**
 * The engine introspects pg_catalog, whose one-byte "char" columns the pg adapter rejects as an
 * unsupported type, while the engine wants them typed as Character. node-postgres returns
 * their values as strings already, so: report them as text to the adapter, remember which
 * columns they were (per SQL text: a query's column types never change), and type them as
 * Character in what the adapter hands to the engine. And migration scripts go whole (below).
 */
function readCharColumnsAsCharacter(pool: pg.Pool) {
  const charColumnsBySql = new Map<string, number[]>();
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as { query: unknown }).query = (...args: unknown[]) => {
    const result = query(...args);
    const sql = (args[0] as { text?: string } | undefined)?.text;
    if (!(result instanceof Promise) || !sql) return result;
    return result.then((res: pg.QueryResult) => {
      const charColumns: number[] = [];
      (res.fields ?? []).forEach((field, i) => {
        if (field.dataTypeID !== PG_CHAR_OID) return;
        field.dataTypeID = PG_TEXT_OID;
        charColumns.push(i);
      });
      if (charColumns.length) charColumnsBySql.set(sql, charColumns);
      return res;
    });
  };
  return <A extends SqlDriverAdapter>(adapter: A): A => {
    // The pg adapter splits a migration on every ";", a function's body included. The script goes
    // whole, as `prisma migrate deploy` sends it: one simple query, one implicit transaction.
    adapter.executeScript = async (script) => {
      try {
        await (adapter as unknown as { underlyingDriver(): pg.Pool | pg.PoolClient }).underlyingDriver().query(script);
      } catch (err) {
        (adapter as unknown as { onError(err: unknown): never }).onError(err);
      }
    };
    const queryRaw = adapter.queryRaw.bind(adapter);
    adapter.queryRaw = async (q) => {
      const result = await queryRaw(q);
      for (const i of charColumnsBySql.get(q.sql) ?? []) result.columnTypes[i] = CHARACTER_COLUMN;
      return result;
    };
    return adapter;
  };
}
