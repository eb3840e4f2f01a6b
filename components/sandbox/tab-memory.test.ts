import { describe, expect, it } from "vitest";
import { parseSavedTabs, serializeTabs, tabMemoryKey, tabsToOpen } from "./tab-memory";

const file = (filePath: string, isEntryPoint = false) => ({ filePath, isEntryPoint });
const project = [file("README.md"), file("src/index.ts", true), file("src/util.ts"), file("package.json")];

describe("tabsToOpen", () => {
  it("opens the entry point of a project never opened here", () => {
    expect(tabsToOpen(null, project)).toEqual({ tabs: ["src/index.ts"], active: "src/index.ts" });
  });

  it("opens README.md when no file is the entry point, and nothing when there is neither", () => {
    expect(tabsToOpen(null, [file("a.txt"), file("README.md")])).toEqual({ tabs: ["README.md"], active: "README.md" });
    expect(tabsToOpen(null, [file("a.txt"), file("readme.md")])).toEqual({ tabs: ["readme.md"], active: "readme.md" });
    expect(tabsToOpen(null, [file("docs/README.md")])).toEqual({ tabs: [], active: null });
    expect(tabsToOpen(null, [])).toEqual({ tabs: [], active: null });
  });

  it("restores the saved tabs that still exist, in order, with the saved active tab", () => {
    const saved = { tabs: ["src/util.ts", "gone.ts", "README.md", "src/util.ts"], active: "README.md" };
    expect(tabsToOpen(saved, project)).toEqual({ tabs: ["src/util.ts", "README.md"], active: "README.md" });
  });

  it("makes the first restored tab active when the saved active one is gone", () => {
    expect(tabsToOpen({ tabs: ["src/util.ts", "gone.ts"], active: "gone.ts" }, project)).toEqual({ tabs: ["src/util.ts"], active: "src/util.ts" });
  });

  it("falls back to the entry point when none of the saved tabs survives (or none was open)", () => {
    expect(tabsToOpen({ tabs: ["gone.ts"], active: "gone.ts" }, project)).toEqual({ tabs: ["src/index.ts"], active: "src/index.ts" });
    expect(tabsToOpen({ tabs: [], active: null }, project)).toEqual({ tabs: ["src/index.ts"], active: "src/index.ts" });
  });
});

describe("parseSavedTabs", () => {
  it("reads back what serializeTabs wrote", () => {
    expect(parseSavedTabs(serializeTabs(["a.ts", "b.ts"], "b.ts"))).toEqual({ tabs: ["a.ts", "b.ts"], active: "b.ts" });
  });

  it("ignores missing, malformed or foreign values", () => {
    expect(parseSavedTabs(null)).toBeNull();
    expect(parseSavedTabs("{not json")).toBeNull();
    expect(parseSavedTabs(JSON.stringify({ tabs: "a.ts", active: null }))).toBeNull();
    expect(parseSavedTabs(JSON.stringify({ tabs: [42], active: null }))).toBeNull();
  });

  it("keeps at most the last 50 tabs", () => {
    const many = Array.from({ length: 80 }, (_, i) => `f${i}.ts`);
    expect(parseSavedTabs(serializeTabs(many, "f79.ts"))?.tabs).toEqual(many.slice(30));
  });
});

it("keys the memory by user and project", () => {
  expect(tabMemoryKey(1, 2)).not.toBe(tabMemoryKey(2, 2));
  expect(tabMemoryKey(1, 2)).not.toBe(tabMemoryKey(1, 3));
});
