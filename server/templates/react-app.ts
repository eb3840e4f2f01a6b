import { NODE_TOOLCHAIN_CHECK } from "./node-commands";
import type { ProjectTemplate } from "./template-types";

// React 19 + TypeScript on Vite. Component tests use react-dom/server: the image has no DOM
// library (jsdom), and server rendering checks the markup just as well for a starter.
export const reactAppTemplate: ProjectTemplate = {
  id: "react-app",
  name: "React Application",
  description: "React 19 + TypeScript todo list on Vite, with Vitest tests.",
  image: "node",
  entryPoint: "src/index.tsx",
  commands: {
    install: NODE_TOOLCHAIN_CHECK,
    run: "npm start",
    test: "npm test",
    build: "npm run build",
    dev: { command: "npm run dev", port: 5173 },
  },
  files: {
    "README.md": `# React App

React 19 + TypeScript, built with Vite and tested with Vitest.

- \`src/index.tsx\` mounts \`<App />\` into \`index.html\`.
- \`src/App.tsx\` is a small todo list; its logic lives in \`src/todos.ts\`.
- Tests: \`src/*.test.ts(x)\` (Vitest; components are checked with \`react-dom/server\`).

The libraries come preinstalled in the sandbox image (no network), so there is nothing to
install. Commands: \`npm test\`, \`npm run build\` (type-check, then bundle into \`dist/\`),
\`npm run dev\` (dev server on port 5173).
`,
    "index.html": `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>React App</title>
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/src/index.tsx"></script>
  </body>
</html>
`,
    "package.json": `{
  "name": "react-app",
  "private": true,
  "version": "0.1.0",
  "type": "module",
  "scripts": {
    "start": "vite",
    "dev": "vite",
    "build": "tsc --noEmit && vite build",
    "test": "vitest run"
  }
}
`,
    "src/App.test.tsx": `import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { App } from "./App";

// Server rendering checks the markup without a browser (the sandbox has no DOM library).
describe("App", () => {
  it("renders the todos and how many are left", () => {
    const html = renderToString(
      <App initialTodos={[{ id: 1, title: "buy milk", done: false }, { id: 2, title: "call mum", done: true }]} />,
    );
    expect(html).toContain("buy milk");
    expect(html).toContain("call mum");
    expect(html).toMatch(/1<!-- --> left/);
  });
});
`,
    "src/App.tsx": `import { useState, type FormEvent } from "react";
import { addTodo, remaining, toggleTodo, type Todo } from "./todos";

export function App({ initialTodos = [] }: { initialTodos?: Todo[] }) {
  const [todos, setTodos] = useState<Todo[]>(initialTodos);
  const [title, setTitle] = useState("");

  function submit(event: FormEvent) {
    event.preventDefault();
    setTodos((current) => addTodo(current, title));
    setTitle("");
  }

  return (
    <main>
      <h1>Todos</h1>
      <form onSubmit={submit}>
        <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder="What needs doing?" />
        <button type="submit">Add</button>
      </form>
      <ul>
        {todos.map((todo) => (
          <li key={todo.id}>
            <label>
              <input type="checkbox" checked={todo.done} onChange={() => setTodos((current) => toggleTodo(current, todo.id))} />
              {todo.title}
            </label>
          </li>
        ))}
      </ul>
      <p>{remaining(todos)} left</p>
    </main>
  );
}
`,
    "src/index.tsx": `import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
`,
    "src/todos.test.ts": `import { describe, expect, it } from "vitest";
import { addTodo, remaining, toggleTodo } from "./todos";

describe("todos", () => {
  it("adds a trimmed todo with the next id", () => {
    const todos = addTodo(addTodo([], "  buy milk "), "write tests");
    expect(todos).toEqual([
      { id: 1, title: "buy milk", done: false },
      { id: 2, title: "write tests", done: false },
    ]);
  });

  it("ignores blank titles", () => {
    expect(addTodo([], "   ")).toEqual([]);
  });

  it("toggles one todo and counts the rest", () => {
    const todos = toggleTodo(addTodo(addTodo([], "a"), "b"), 1);
    expect(todos[0]?.done).toBe(true);
    expect(remaining(todos)).toBe(1);
  });
});
`,
    "src/todos.ts": `export interface Todo {
  id: number;
  title: string;
  done: boolean;
}

export function addTodo(todos: readonly Todo[], title: string): Todo[] {
  const trimmed = title.trim();
  if (!trimmed) return [...todos];
  const nextId = todos.reduce((max, t) => Math.max(max, t.id), 0) + 1;
  return [...todos, { id: nextId, title: trimmed, done: false }];
}

export function toggleTodo(todos: readonly Todo[], id: number): Todo[] {
  return todos.map((t) => (t.id === id ? { ...t, done: !t.done } : t));
}

export function remaining(todos: readonly Todo[]): number {
  return todos.filter((t) => !t.done).length;
}
`,
    "tsconfig.json": `{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2022", "DOM", "DOM.Iterable"],
    "module": "ESNext",
    "moduleResolution": "Bundler",
    "jsx": "react-jsx",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "isolatedModules": true,
    "skipLibCheck": true,
    "noEmit": true,
    "types": ["vite/client"]
  },
  "include": ["src", "vite.config.ts"]
}
`,
    "vite.config.ts": `import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The sandbox has no network: the app reaches this server through its preview proxy, which
// connects to 127.0.0.1 inside the container and serves it on its own origin (any host name).
// HMR needs nothing more: the client connects back to the page's own host and port.
export default defineConfig({
  plugins: [react()],
  server: { host: "127.0.0.1", port: 5173, strictPort: true, allowedHosts: true },
  test: { environment: "node" },
});
`,
  },
};
