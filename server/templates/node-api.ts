import { NODE_TOOLCHAIN_CHECK } from "./node-commands";
import type { ProjectTemplate } from "./template-types";

// A JSON API on node:http (the image has no express). Routes are plain functions so the tests
// call them without opening a port.
export const nodeApiTemplate: ProjectTemplate = {
  id: "node-api",
  name: "Node.js API",
  description: "TypeScript JSON API on node:http (health and notes routes), with Vitest tests.",
  image: "node",
  entryPoint: "src/server.ts",
  commands: {
    install: NODE_TOOLCHAIN_CHECK,
    run: "npm start",
    test: "npm test",
    build: "npm run build",
    dev: { command: "npm run dev", port: 8080 },
  },
  files: {
    "README.md": `# Node API

A small JSON API in TypeScript on \`node:http\` (no framework).

- \`src/server.ts\` starts the HTTP server on 127.0.0.1 (port \`PORT\`, default 8080).
- \`src/routes.ts\` holds the routes: \`GET /health\`, \`GET /notes\`, \`POST /notes {"text": "..."}\`.
- Tests: \`src/routes.test.ts\` (Vitest) call the routes directly, without a network.

The libraries come preinstalled in the sandbox image (no network), so there is nothing to
install. Commands: \`npm test\`, \`npm run build\` (tsc into \`dist/\`), \`npm start\`
(runs the server with tsx), \`npm run dev\` (restarts on change).
`,
    "package.json": `{
  "name": "node-api",
  "private": true,
  "version": "0.1.0",
  "type": "module",
  "scripts": {
    "start": "tsx src/server.ts",
    "dev": "tsx watch src/server.ts",
    "build": "tsc -p tsconfig.json",
    "test": "vitest run"
  }
}
`,
    "src/routes.test.ts": `import { describe, expect, it } from "vitest";
import { createRoutes } from "./routes.js";

describe("routes", () => {
  it("answers the health check", () => {
    expect(createRoutes()({ method: "GET", path: "/health", body: null })).toEqual({ status: 200, body: { ok: true } });
  });

  it("creates and lists notes", () => {
    const handle = createRoutes();
    expect(handle({ method: "POST", path: "/notes", body: { text: " hello " } })).toEqual({ status: 201, body: { id: 1, text: "hello" } });
    expect(handle({ method: "GET", path: "/notes", body: null }).body).toEqual([{ id: 1, text: "hello" }]);
  });

  it("refuses bad input and unknown routes", () => {
    const handle = createRoutes();
    expect(handle({ method: "POST", path: "/notes", body: {} }).status).toBe(400);
    expect(handle({ method: "DELETE", path: "/notes", body: null }).status).toBe(405);
    expect(handle({ method: "GET", path: "/nope", body: null }).status).toBe(404);
  });
});
`,
    "src/routes.ts": `export interface ApiRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface Note {
  id: number;
  text: string;
}

/** The API's state and routes, kept free of node:http so tests call them directly. */
export function createRoutes() {
  const notes: Note[] = [];

  return function handle(req: ApiRequest): ApiResponse {
    if (req.method === "GET" && req.path === "/health") return { status: 200, body: { ok: true } };
    if (req.path === "/notes") {
      if (req.method === "GET") return { status: 200, body: notes };
      if (req.method === "POST") {
        const text = (req.body as { text?: unknown } | null)?.text;
        if (typeof text !== "string" || !text.trim()) return { status: 400, body: { error: "text must be a non-empty string" } };
        const note = { id: notes.length + 1, text: text.trim() };
        notes.push(note);
        return { status: 201, body: note };
      }
      return { status: 405, body: { error: \`\${req.method} not allowed on /notes\` } };
    }
    return { status: 404, body: { error: \`no route for \${req.method} \${req.path}\` } };
  };
}
`,
    "src/server.ts": `import { createServer, type IncomingMessage } from "node:http";
import { createRoutes } from "./routes.js";

const port = Number(process.env.PORT ?? 8080);
const handle = createRoutes();

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : null;
}

const server = createServer((req, res) => {
  readJson(req)
    .then((body) => handle({ method: req.method ?? "GET", path: new URL(req.url ?? "/", "http://localhost").pathname, body }))
    .catch(() => ({ status: 400, body: { error: "body must be valid JSON" } }))
    .then(({ status, body }) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
});

server.listen(port, "127.0.0.1", () => console.log(\`API listening on http://127.0.0.1:\${port}\`));
`,
    "tsconfig.json": `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "skipLibCheck": true,
    "outDir": "dist",
    "rootDir": "src",
    "types": ["node"]
  },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts"]
}
`,
  },
};
