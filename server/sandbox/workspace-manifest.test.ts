import { describe, expect, it } from "vitest";
import { diffManifests, escapeNonUtf8, Manifest, manifestFindArgs, parseManifest, type ManifestEntry } from "./workspace-manifest";

const limits = { maxFileSize: 100, maxProjectSize: 1000, ignore: ["node_modules", ".git"] };

function manifest(entries: [string, string, number, string, number?][]): Manifest {
  return new Manifest(entries.map(([path, type, size, mtime, links]) => [path, { type, size, mtime, links: links ?? 1 }]));
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

  it("keeps names that are not UTF-8 under an escaped key, flagged, beside valid ones (bytes in)", () => {
    const out = Buffer.concat([
      Buffer.from("f\t4\t1.0\t1\tgood.txt\0f\t1\t1.0\t1\t"),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(".txt\0f\t1\t1.0\t1\tcaf\u00e9/\u2713.txt\0f\t1\t1.0\t1\tdir"),
      Buffer.from([0xe9]),
      Buffer.from("/inner.txt\0"),
    ]);
    const m = parseManifest(out);
    expect([...m.keys()]).toEqual(["good.txt", "\\xff\\xfe.txt", "caf\u00e9/\u2713.txt", "dir\\xe9/inner.txt"]);
    expect(m.get("good.txt")?.nonUtf8Name).toBeUndefined();
    expect(m.get("caf\u00e9/\u2713.txt")?.nonUtf8Name).toBeUndefined();
    expect(m.get("\\xff\\xfe.txt")).toEqual({ type: "f", size: 1, mtime: "1.0", links: 1, nonUtf8Name: true });
  });
});

describe("escapeNonUtf8", () => {
  const esc = (...bytes: number[]) => escapeNonUtf8(Buffer.from(bytes));
  it("writes invalid bytes as \\xHH and keeps valid sequences", () => {
    expect(esc(0x61, 0xff, 0x62)).toBe("a\\xffb");
    expect(esc(0xc3, 0xa9)).toBe("\u00e9");
    expect(esc(0xe2, 0x9c, 0x93)).toBe("\u2713");
    expect(esc(0xf0, 0x9f, 0x98, 0x80)).toBe("\u{1F600}");
  });
  it("refuses overlongs, surrogates, truncated sequences and code points above U+10FFFF", () => {
    expect(esc(0xc0, 0xaf)).toBe("\\xc0\\xaf");
    expect(esc(0xed, 0xa0, 0x80)).toBe("\\xed\\xa0\\x80");
    expect(esc(0xe2, 0x9c)).toBe("\\xe2\\x9c");
    expect(esc(0xf4, 0x90, 0x80, 0x80)).toBe("\\xf4\\x90\\x80\\x80");
  });
  it("doubles a backslash, so an escaped name cannot pass for another", () => {
    expect(esc(0x5c, 0x78, 0x66, 0x66, 0xff)).toBe("\\\\xff\\xff");
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
  it("refuses a name that is not UTF-8 once, never asks tar for it, never deletes it, and keeps the rest", () => {
    const before = manifest([["kept.txt", "f", 1, "1.0"]]);
    const bad: ManifestEntry = { type: "f", size: 1, mtime: "2.0", links: 1, nonUtf8Name: true };
    const after = new Manifest([
      ["kept.txt", { type: "f", size: 1, mtime: "1.0", links: 1 }],
      ["good.txt", { type: "f", size: 4, mtime: "2.0", links: 1 }],
      ["\\xff\\xfe.txt", bad],
    ]);
    const d = diffManifests(before, after, limits);
    expect(d.changed).toEqual(["good.txt"]);
    expect(d.refused).toEqual([{ path: "\\xff\\xfe.txt", reason: "non-utf8-name", detail: expect.stringContaining("not valid UTF-8") as string }]);
    // Unchanged on the next run: not reported again; removed later: nothing to delete from the store.
    expect(diffManifests(after, after, limits).refused).toEqual([]);
    expect(diffManifests(after, before, limits).deleted).toEqual(["good.txt"]);
  });

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
