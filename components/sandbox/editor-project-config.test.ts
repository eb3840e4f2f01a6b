import { describe, expect, it } from "vitest";
import { compilerOptionsFrom, typingSetsFor } from "./editor-project-config";

describe("the editor's compiler options follow the project's tsconfig.json", () => {
  it("maps the React template's options to TypeScript's values", () => {
    const options = compilerOptionsFrom(`{
      // comments and trailing commas, as tsc accepts
      "compilerOptions": { "target": "ES2022", "lib": ["ES2022", "DOM", "DOM.Iterable"], "module": "ESNext", "moduleResolution": "Bundler",
        "jsx": "react-jsx", "strict": true, "noUncheckedIndexedAccess": true, "isolatedModules": true, "types": ["vite/client"], },
    }`);
    expect(options).toMatchObject({
      target: 9,
      module: 99,
      moduleResolution: 100,
      jsx: 4,
      strict: true,
      noUncheckedIndexedAccess: true,
      isolatedModules: true,
      lib: ["es2022", "dom", "dom.iterable"],
      allowNonTsExtensions: true,
      noEmit: true,
    });
    // A types entry the editor does not have would only add a false error.
    expect(options).not.toHaveProperty("types");
  });

  it("falls back to the defaults without a tsconfig.json, or while it does not parse", () => {
    expect(compilerOptionsFrom(undefined)).toMatchObject({ strict: true, jsx: 4, moduleResolution: 100 });
    expect(compilerOptionsFrom('{ "compilerOptions": { "strict": ')).toEqual(compilerOptionsFrom(undefined));
    expect(compilerOptionsFrom('{ "compilerOptions": { "strict": false, "jsx": "preserve" } }')).toMatchObject({ strict: false, jsx: 1 });
  });
});

describe("typings a project needs", () => {
  it("Node always; React for .tsx files or react imports; Vue for vue imports or .vue files", () => {
    expect([...typingSetsFor(new Map([["index.js", "console.log(1)"]]))]).toEqual(["node"]);
    expect([...typingSetsFor(new Map([["src/App.tsx", "export const x = 1"]]))].sort()).toEqual(["node", "react"]);
    expect([...typingSetsFor(new Map([["src/main.ts", 'import { createApp } from "vue";\nimport App from "./App.vue";']]))].sort()).toEqual(["node", "vue"]);
    expect([...typingSetsFor(new Map([["a.ts", "import { renderToString } from 'react-dom/server';"]]))].sort()).toEqual(["node", "react"]);
  });
});
