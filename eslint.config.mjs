import nextPlugin from "@next/eslint-plugin-next";
import tseslint from "typescript-eslint";
import { layerConfigs } from "./eslint.layers.mjs";

// Type-aware lint. The layering rules of STYLE.md §1 are enforced here: only repositories (and
// the db module itself) touch Prisma; the sandbox engine and services never import tRPC or Next;
// which folder may import which, and where process.env may be read, is in eslint.layers.mjs.
const prismaOnlyInRepositories = {
  patterns: [
    {
      group: ["@/server/db/client", "@/server/db/generated/*", "@prisma/client", "@prisma/client/*"],
      message: "Only server/repositories may use Prisma (STYLE.md §1).",
    },
  ],
};
const noApiLayer = {
  patterns: [{ group: ["@trpc/server", "@trpc/server/*", "next", "next/*"], message: "Services and the engine must not know tRPC or Next (STYLE.md §1)." }],
};

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      ".next/**",
      ".data/**",
      "server/db/generated/**",
      "server/sandbox/agent/gen/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      "**/*.mjs",
      "packages/*/dist/**",
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { "@next/next": nextPlugin },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs["core-web-vitals"].rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/only-throw-error": "off",
      // Async methods implementing an async interface (drivers, stores, fakes) need no await.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Process entry points (server/main.ts, server/cli) compose everything and may close the client.
    files: [
      "server/services/**",
      "server/sandbox/**",
      "server/api/**",
      "server/auth/**",
      "server/process/**",
      "server/monitoring/**",
      "server/egress/**",
      "app/**",
      "components/**",
      "lib/**",
    ],
    // The process registry names the Prisma client's type only (eslint.layers.mjs refuses its value imports).
    ignores: ["**/*.test.ts", "server/process/app-runtime.ts"],
    rules: { "no-restricted-imports": ["error", prismaOnlyInRepositories] },
  },
  {
    files: ["server/services/**", "server/sandbox/**", "server/egress/**"],
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [...prismaOnlyInRepositories.patterns, ...noApiLayer.patterns] }] },
  },
  ...layerConfigs,
  {
    // The client package is installed by other repositories: it may import only its own files.
    files: ["packages/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/*", "../../*", "node:*"],
              message: "packages/ are published on their own: no app or Node-only imports (the client runs wherever fetch does)",
            },
          ],
        },
      ],
    },
  },
  {
    // One log format (server/logging/): shipped code logs through the logger, never console.*
    // (the server also routes console to the logger at start, for Next and libraries).
    files: ["server/**", "app/**", "components/**", "lib/**"],
    ignores: ["**/*.test.ts", "**/*.test.tsx", "**/bench/**", "test/**"],
    rules: { "no-console": "error" },
  },
  {
    // Tests may reach past layers to arrange and inspect state.
    files: ["**/*.test.ts", "e2e/**", "test/**"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/unbound-method": "off",
    },
  },
);
