// `prisma generate` needs no database and no schema engine, but the CLI insists on finding a
// schema-engine binary and would try to download one (impossible on our offline machines).
// Pointing it at any existing file satisfies the check; generation itself is pure WebAssembly.
import { spawnSync } from "node:child_process";

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = "1";
const result = spawnSync("npx", ["prisma", "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
