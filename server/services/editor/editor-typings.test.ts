import { expect, it } from "vitest";
import sandboxNodeImage from "@/sandbox-images/node/package.json";
import { editorTypings, servedVersions, TYPING_SETS } from "./editor-typings";

it("reads @types/node and undici-types with paths under node_modules", async () => {
  const files = await editorTypings("node");
  expect(files["node_modules/@types/node/index.d.ts"]).toContain("reference");
  expect(files["node_modules/@types/node/http.d.ts"]).toContain("IncomingMessage");
  expect(files["node_modules/undici-types/index.d.ts"]).toBeDefined();
  expect(files["node_modules/@types/node/package.json"]).toContain('"name": "@types/node"');
  expect(Object.keys(files).filter((p) => p.includes("/ts5.6/"))).toEqual([]);
  expect(Object.keys(files).every((p) => p.startsWith("node_modules/") && (/\.d\.(ts|mts|cts)$/.test(p) || p.endsWith("package.json")))).toBe(true);
});

it("serves React's and Vue's typings under the names code imports", async () => {
  const react = await editorTypings("react");
  expect(react["node_modules/@types/react/jsx-runtime.d.ts"]).toBeDefined();
  expect(react["node_modules/@types/react-dom/client.d.ts"]).toContain("createRoot");
  expect(react["node_modules/csstype/index.d.ts"]).toBeDefined();
  const vue = await editorTypings("vue");
  expect(vue["node_modules/vue/dist/vue.d.mts"]).toContain("@vue/runtime-dom");
  expect(vue["node_modules/@vue/runtime-core/dist/runtime-core.d.ts"]).toContain("DefineComponent");
  expect(vue["node_modules/vue/server-renderer/index.d.mts"]).toBeDefined();
  // Vue's global JSX registration would clash with React's in a mixed project.
  expect(vue["node_modules/vue/jsx.d.ts"]).toBeUndefined();
});

it("serves the versions the sandbox's node image has", async () => {
  const image: Record<string, string> = sandboxNodeImage.dependencies;
  for (const set of TYPING_SETS) {
    for (const [name, version] of Object.entries(await servedVersions(set))) {
      if (image[name]) expect(`${name}@${version}`).toBe(`${name}@${image[name]}`);
    }
  }
});
