import { NODE_TOOLCHAIN_CHECK } from "./node-commands";
import type { ProjectTemplate } from "./template-types";

// Vue 3 + TypeScript on Vite. The component test uses vue/server-renderer: the image has no
// DOM library, and server rendering checks the markup just as well for a starter.
export const vueAppTemplate: ProjectTemplate = {
  id: "vue-app",
  name: "Vue.js Application",
  description: "Vue 3 + TypeScript counter (<script setup>) on Vite, with Vitest tests.",
  image: "node",
  entryPoint: "src/main.ts",
  commands: {
    install: NODE_TOOLCHAIN_CHECK,
    run: "npm run serve",
    test: "npm test",
    build: "npm run build",
    dev: { command: "npm run dev", port: 5173 },
  },
  files: {
    "README.md": `# Vue App

Vue 3 + TypeScript (\`<script setup lang="ts">\`), built with Vite and tested with Vitest.

- \`src/main.ts\` mounts \`App.vue\` into \`index.html\`.
- \`src/App.vue\` is a counter; its logic lives in \`src/counter.ts\`.
- Tests: \`src/*.test.ts\` (Vitest; the component is checked with \`vue/server-renderer\`).

The libraries come preinstalled in the sandbox image (no network), so there is nothing to
install. Commands: \`npm test\`, \`npm run build\` (vue-tsc type-check, then bundle into
\`dist/\`), \`npm run serve\` (dev server on port 5173).
`,
    "index.html": `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>Vue App</title>
  </head>
  <body>
    <div id="app"></div>
    <script type="module" src="/src/main.ts"></script>
  </body>
</html>
`,
    "package.json": `{
  "name": "vue-app",
  "private": true,
  "version": "0.1.0",
  "type": "module",
  "scripts": {
    "serve": "vite",
    "dev": "vite",
    "build": "vue-tsc --noEmit && vite build",
    "test": "vitest run"
  }
}
`,
    "src/App.test.ts": `import { createSSRApp } from "vue";
import { renderToString } from "vue/server-renderer";
import { describe, expect, it } from "vitest";
import App from "./App.vue";

// Server rendering checks the markup without a browser (the sandbox has no DOM library).
describe("App.vue", () => {
  it("renders the title and the starting count", async () => {
    const html = await renderToString(createSSRApp(App, { title: "Clicks", start: 7 }));
    expect(html).toContain("<h1>Clicks</h1>");
    expect(html).toContain("Count: 7");
  });
});
`,
    "src/App.vue": `<script setup lang="ts">
import { ref } from "vue";
import { decrement, increment, type CounterState } from "./counter";

const props = withDefaults(defineProps<{ title?: string; start?: number }>(), { title: "Vue Counter", start: 0 });
const state = ref<CounterState>({ count: props.start, step: 1 });
</script>

<template>
  <main>
    <h1>{{ props.title }}</h1>
    <p class="count">Count: {{ state.count }}</p>
    <button type="button" @click="state = decrement(state)">-</button>
    <button type="button" @click="state = increment(state)">+</button>
  </main>
</template>
`,
    "src/counter.test.ts": `import { describe, expect, it } from "vitest";
import { decrement, increment } from "./counter";

describe("counter", () => {
  it("steps up and down", () => {
    expect(increment({ count: 1, step: 2 })).toEqual({ count: 3, step: 2 });
    expect(decrement({ count: 3, step: 2 })).toEqual({ count: 1, step: 2 });
  });

  it("stays within its bounds", () => {
    expect(increment({ count: 99, step: 5 }, 100).count).toBe(100);
    expect(decrement({ count: 1, step: 5 }).count).toBe(0);
  });
});
`,
    "src/counter.ts": `export interface CounterState {
  count: number;
  step: number;
}

/** Keeps the count within [min, max] so the UI never shows an impossible value. */
export function increment(state: CounterState, max = 100): CounterState {
  return { ...state, count: Math.min(max, state.count + state.step) };
}

export function decrement(state: CounterState, min = 0): CounterState {
  return { ...state, count: Math.max(min, state.count - state.step) };
}
`,
    "src/main.ts": `import { createApp } from "vue";
import App from "./App.vue";

createApp(App).mount("#app");
`,
    "tsconfig.json": `{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2022", "DOM", "DOM.Iterable"],
    "module": "ESNext",
    "moduleResolution": "Bundler",
    "jsx": "preserve",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "isolatedModules": true,
    "skipLibCheck": true,
    "noEmit": true,
    "types": ["vite/client"]
  },
  "include": ["src/**/*.ts", "src/**/*.vue", "vite.config.ts"]
}
`,
    "vite.config.ts": `import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vitest/config";

// The sandbox has no network: the app reaches this server through its preview proxy, which
// connects to 127.0.0.1 inside the container and serves it on its own origin (any host name).
// HMR needs nothing more: the client connects back to the page's own host and port.
export default defineConfig({
  plugins: [vue()],
  server: { host: "127.0.0.1", port: 5173, strictPort: true, allowedHosts: true },
  test: { environment: "node" },
});
`,
  },
};
