import { describe, expect, it } from "vitest";
import { Manifest, type ManifestEntry } from "./workspace-manifest";
import { diffWritten } from "./written-changes";

const f = (size: number, mtime = "1"): ManifestEntry => ({ type: "f", size, mtime, links: 1 });
const d: ManifestEntry = { type: "d", size: 0, mtime: "1", links: 2 };
const limits = { maxFileSize: 100, maxProjectSize: 1000, ignore: ["node_modules"] };

describe("diffWritten", () => {
  it("compares only the written paths: new, changed, removed; the rest of the manifest is not read as deleted", () => {
    const manifest = new Manifest([
      ["a.txt", f(1)],
      ["b.txt", f(2)],
      ["untouched.txt", f(3)],
    ]);
    const diff = diffWritten(
      manifest,
      new Map([
        ["a.txt", f(5, "2")],
        ["b.txt", null],
        ["new.txt", f(1)],
      ]),
      limits,
    );
    expect(diff.changed).toEqual(["a.txt", "new.txt"]);
    expect(diff.deleted).toEqual(["b.txt"]);
    diff.commit();
    expect([...manifest.keys()].sort()).toEqual(["a.txt", "new.txt", "untouched.txt"]);
  });

  it("a removed directory takes its files; symlinks, specials and oversized files are refused, ignored names skipped", () => {
    const manifest = new Manifest([
      ["dir", d],
      ["dir/x", f(1)],
      ["dir/sub/y", f(1)],
    ]);
    const diff = diffWritten(
      manifest,
      new Map<string, ManifestEntry | null>([
        ["dir", null],
        ["link", { type: "l", size: 3, mtime: "1", links: 1 }],
        ["fifo", { type: "p", size: 0, mtime: "1", links: 1 }],
        ["big", f(101)],
        ["node_modules/m.js", f(1)],
      ]),
      limits,
    );
    expect(diff.deleted).toEqual(["dir/sub/y", "dir/x"]);
    expect(diff.changed).toEqual([]);
    expect(diff.refused.map((r) => `${r.path}:${r.reason}`).sort()).toEqual(["big:too-large", "fifo:special-file", "link:symlink"]);
  });

  it("refuses the changes that would take the project over its size, counting the files not written", () => {
    const manifest = new Manifest([["old", f(95)]]);
    const diff = diffWritten(manifest, new Map([["new", f(10)]]), { ...limits, maxProjectSize: 100 });
    expect(diff.changed).toEqual([]);
    expect(diff.refused).toMatchObject([{ path: "new", reason: "project-size" }]);
  });
});

describe("Manifest.storableBytes", () => {
  it("keeps the project's size as entries are set, replaced and deleted, as a fresh sum would find it", () => {
    const manifest = new Manifest([
      ["a", f(10)],
      ["dir", d],
      ["node_modules/m.js", f(7)],
    ]);
    expect(manifest.storableBytes(limits)).toBe(10);
    manifest.set("a", f(20, "2"));
    manifest.set("b", f(5));
    manifest.set("big", f(101));
    manifest.set("node_modules/n.js", f(3));
    manifest.delete("dir");
    expect(manifest.storableBytes(limits)).toBe(25);
    diffWritten(manifest, new Map([["b", null]]), limits).commit();
    expect(manifest.storableBytes(limits)).toBe(20);
    expect(new Manifest(manifest).storableBytes(limits)).toBe(20);
    // Other limits: summed again for them.
    expect(manifest.storableBytes({ ...limits, maxFileSize: 1000 })).toBe(121);
    manifest.clear();
    expect(manifest.storableBytes(limits)).toBe(0);
  });
});
