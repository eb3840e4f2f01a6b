import { defineConfig } from "prisma/config";

// The CLI reads the connection here (Prisma 7 keeps no url in schema.prisma). `prisma generate`
// needs no database, so an unset DATABASE_URL is fine for it.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/unset" },
});
