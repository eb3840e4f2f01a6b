import { describe, expect, it } from "vitest";
import { dropTarget, toTreeRows } from "./file-tree";

describe("toTreeRows", () => {
  it("adds parent folders, sorts folders first at each level, marks the entry point", () => {
    const rows = toTreeRows([
      { filePath: "z.txt", isEntryPoint: false },
      { filePath: "src/server.ts", isEntryPoint: true },
      { filePath: "src/lib/a.ts", isEntryPoint: false },
      { filePath: "README.md", isEntryPoint: false },
    ]);
    expect(rows.map((r) => `${"  ".repeat(r.depth)}${r.name}${r.folder ? "/" : ""}${r.entryPoint ? " *" : ""}`)).toEqual([
      "src/",
      "  lib/",
      "    a.ts",
      "  server.ts *",
      "README.md",
      "z.txt",
    ]);
  });
});

describe("dropTarget", () => {
  it("moves into another folder or to the root", () => {
    expect(dropTarget("src/a.ts", "lib")).toBe("lib/a.ts");
    expect(dropTarget("src/a.ts", "")).toBe("a.ts");
    expect(dropTarget("src", "app")).toBe("app/src");
  });
  it("ignores drops onto itself, into its own subtree, or onto its current folder", () => {
    expect(dropTarget("src", "src")).toBeNull();
    expect(dropTarget("src", "src/lib")).toBeNull();
    expect(dropTarget("src/a.ts", "src")).toBeNull();
    expect(dropTarget("a.ts", "")).toBeNull();
  });
});
