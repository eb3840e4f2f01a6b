import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// README's Layout names every folder: a folder added to the tree without a line there fails here.
const readme = readFileSync("README.md", "utf8");
const layout = /## Layout\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
const tracked = execFileSync("git", ["ls-files"], { encoding: "utf8" }).split("\n").filter(Boolean);

function foldersUnder(prefix: string): string[] {
  const names = tracked.filter((f) => f.startsWith(prefix) && f.slice(prefix.length).includes("/")).map((f) => f.slice(prefix.length).split("/")[0] ?? "");
  return [...new Set(names)].sort();
}

describe("README Layout", () => {
  it("exists", () => expect(layout.length).toBeGreaterThan(100));

  it.each([
    ["the top level", ""],
    ["server/", "server/"],
    ["test/", "test/"],
  ])("names every folder at %s", (_, prefix) => {
    const missing = foldersUnder(prefix).filter((name) => !new RegExp(`(^|\\s)${name.replace(".", "\\.")}/`, "m").test(layout));
    expect(missing).toEqual([]);
  });
});
