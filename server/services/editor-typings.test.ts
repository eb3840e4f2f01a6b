import { expect, it } from "vitest";
import { nodeTypings } from "./editor-typings";

it("reads @types/node and undici-types with paths under node_modules", async () => {
  const files = await nodeTypings();
  expect(files["node_modules/@types/node/index.d.ts"]).toContain("reference");
  expect(files["node_modules/@types/node/http.d.ts"]).toContain("IncomingMessage");
  expect(files["node_modules/undici-types/index.d.ts"]).toBeDefined();
  expect(files["node_modules/@types/node/package.json"]).toContain('"name": "@types/node"');
  expect(Object.keys(files).filter((p) => p.includes("/ts5.6/"))).toEqual([]);
  expect(Object.keys(files).every((p) => p.startsWith("node_modules/") && (p.endsWith(".d.ts") || p.endsWith("package.json")))).toBe(true);
});
