import { describe, expect, it } from "vitest";
import { diffManifests, manifestFindArgs, parseManifest, type Manifest } from "./workspace-manifest";

const limits = { maxFileSize: 100, maxProjectSize: 1000, ignore: ["node_modules", ".git"] };

function manifest(entries: [string, string, number, string, number?][]): Manifest {
  return new Map(entries.map(([path, type, size, mtime, links]) => [path, { type, size, mtime, links: links ?? 1 }]));
}

describe("parseManifest", () => {
  it("parses NUL-separated find -printf records, keeping tabs inside paths", () => {
    const out = "f\t5\t1.5\t1\ta.txt\0d\t60\t1.0\t2\tsrc\0f\t3\t2.25\t1\tsrc/with\ttab\0l\t11\t3.0\t1\tlink\0";
    const m = parseManifest(out);
    expect([...m.keys()]).toEqual(["a.txt", "src", "src/with\ttab", "link"]);
    expect(m.get("a.txt")).toEqual({ type: "f", size: 5, mtime: "1.5", links: 1 });
    expect(m.get("link")?.type).toBe("l");
  });

  it("ignores truncated records", () => {
    expect(parseManifest("f\t5\t1.5").size).toBe(0);
  });
});

describe("manifestFindArgs", () => {
  it("prunes ignored names and prints NUL-terminated records", () => {
    expect(manifestFindArgs(["node_modules", ".git"])).toEqual([
      "find",
      ".",
      "-mindepth",
      "1",
      "(",
      "-name",
      "node_modules",
      "-o",
      "-name",
      ".git",
      ")",
      "-prune",
      "-o",
      "-printf",
      "%y\\t%s\\t%T@\\t%n\\t%P\\0",
    ]);
    expect(manifestFindArgs([])).toEqual(["find", ".", "-mindepth", "1", "-printf", "%y\\t%s\\t%T@\\t%n\\t%P\\0"]);
  });
});

describe("diffManifests", () => {
  it("finds created, changed and deleted files and skips unchanged ones", () => {
    const before = manifest([
      ["same.txt", "f", 3, "1.0"],
      ["changed.txt", "f", 3, "1.0"],
      ["touched.txt", "f", 3, "1.0"],
      ["gone.txt", "f", 3, "1.0"],
      ["dir", "d", 60, "1.0"],
    ]);
    const after = manifest([
      ["same.txt", "f", 3, "1.0"],
      ["changed.txt", "f", 4, "1.0"],
      ["touched.txt", "f", 3, "2.0"],
      ["new.txt", "f", 1, "2.0"],
      ["dir", "d", 60, "2.0"],
      ["dir/deep.txt", "f", 1, "2.0"],
    ]);
    const diff = diffManifests(before, after, limits);
    expect(diff.changed).toEqual(["changed.txt", "dir/deep.txt", "new.txt", "touched.txt"]);
    expect(diff.deleted).toEqual(["gone.txt"]);
    expect(diff.refused).toEqual([]);
    expect(diff.projectBytes).toBe(3 + 4 + 3 + 1 + 1);
  });

  it("refuses symlinks, devices, fifos, hard links and invalid names, only when new or changed", () => {
    const before = manifest([["old-link", "l", 11, "1.0"]]);
    const after = manifest([
      ["old-link", "l", 11, "1.0"],
      ["passwd", "l", 11, "2.0"],
      ["fifo", "p", 0, "2.0"],
      ["hard", "f", 3, "2.0", 2],
      ["bad\nname", "f", 3, "2.0"],
    ]);
    const diff = diffManifests(before, after, limits);
    expect(diff.changed).toEqual([]);
    expect(diff.refused.map((r) => [r.path, r.reason])).toEqual([
      ["passwd", "symlink"],
      ["fifo", "special-file"],
      ["hard", "hardlink"],
      ["bad\nname", "invalid-path"],
    ]);
  });

  it("treats a file replaced by a symlink as deleted and refused", () => {
    const diff = diffManifests(manifest([["a", "f", 1, "1.0"]]), manifest([["a", "l", 11, "2.0"]]), limits);
    expect(diff.deleted).toEqual(["a"]);
    expect(diff.refused).toEqual([{ path: "a", reason: "symlink" }]);
  });

  it("refuses files over maxFileSize", () => {
    const diff = diffManifests(
      new Map(),
      manifest([
        ["big.bin", "f", 101, "1.0"],
        ["ok.txt", "f", 100, "1.0"],
      ]),
      limits,
    );
    expect(diff.changed).toEqual(["ok.txt"]);
    expect(diff.refused[0]).toMatchObject({ path: "big.bin", reason: "too-large" });
  });

  it("refuses every change when the project would exceed maxProjectSize, but still applies deletions", () => {
    const before = manifest([
      ["a", "f", 90, "1.0"],
      ["b", "f", 90, "1.0"],
    ]);
    const entries: [string, string, number, string][] = [["a", "f", 90, "1.0"]];
    for (let i = 0; i < 11; i++) entries.push([`f${i}`, "f", 90, "2.0"]);
    const diff = diffManifests(before, manifest(entries), limits);
    expect(diff.changed).toEqual([]);
    expect(diff.deleted).toEqual(["b"]);
    expect(diff.refused).toHaveLength(11);
    expect(diff.refused.every((r) => r.reason === "project-size")).toBe(true);
  });

  it("never reports ignored paths", () => {
    const diff = diffManifests(
      manifest([["node_modules/x.js", "f", 1, "1.0"]]),
      manifest([
        ["node_modules/y.js", "f", 1, "1.0"],
        ["a/.git/HEAD", "f", 1, "1.0"],
      ]),
      limits,
    );
    expect(diff).toEqual({ changed: [], deleted: [], refused: [], projectBytes: 0 });
  });
});
