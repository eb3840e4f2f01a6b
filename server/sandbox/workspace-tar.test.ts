import * as tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { encodeFileContent, type WorkspaceFile } from "./workspace-files";
import { PathRejectedError } from "./workspace-path";
import { packWorkspaceFiles, unpackWorkspaceFiles } from "./workspace-tar";

const limits = { maxFileSize: 1024, maxProjectSize: 4096 };
const text = (path: string, content: string): WorkspaceFile => ({ path, content, encoding: "utf8", size: Buffer.byteLength(content) });

type EntryHeader = Parameters<ReturnType<typeof tar.pack>["entry"]>[0];

async function archive(entries: EntryHeader[], data: Record<string, Buffer> = {}): Promise<Buffer> {
  const pack = tar.pack();
  for (const header of entries) {
    const body = data[header.name];
    if (body) pack.entry(header, body);
    else pack.entry(header);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe("packWorkspaceFiles / unpackWorkspaceFiles", () => {
  it("round-trips text, binary, nested and executable files byte for byte", async () => {
    const binary = Buffer.from([0, 1, 2, 253, 254, 255, 0xc3, 0x28]);
    const files: WorkspaceFile[] = [
      text("a.txt", "hello\n"),
      text("src/deep/é.ts", "export const x = '€';\n"),
      text("bom.txt", "\uFEFFwith bom"),
      { path: "img.bin", content: binary.toString("base64"), encoding: "base64", size: binary.length },
      { ...text("run.sh", "#!/bin/sh\necho hi\n"), executable: true },
    ];
    const tarball = await packWorkspaceFiles(files, limits);
    const { files: back, refused } = await unpackWorkspaceFiles(tarball, {
      wanted: new Set(files.map((f) => f.path)),
      maxFileSize: 1024,
      binaryFiles: "base64",
    });
    expect(refused).toEqual([]);
    expect(back).toEqual(files.map((f) => ({ ...f, executable: f.executable === true })));
  });

  it("refuses bad paths, duplicates, file/dir clashes and oversized content before producing anything", async () => {
    await expect(packWorkspaceFiles([text("../x", "")], limits)).rejects.toBeInstanceOf(PathRejectedError);
    await expect(packWorkspaceFiles([text("/etc/x", "")], limits)).rejects.toThrow(/absolute/);
    await expect(packWorkspaceFiles([text("a", "1"), text("a", "2")], limits)).rejects.toThrow(/duplicate/);
    await expect(packWorkspaceFiles([text("a", "1"), text("a/b", "2")], limits)).rejects.toThrow(/parent a is a file/);
    await expect(packWorkspaceFiles([text("big", "x".repeat(1025))], limits)).rejects.toThrow(/larger than 1024/);
    await expect(
      packWorkspaceFiles(
        [1, 2, 3, 4, 5].map((i) => text(`f${i}`, "x".repeat(1000))),
        limits,
      ),
    ).rejects.toThrow(/project larger/);
  });

  it("refuses symlinks, hard links, devices, directories, traversal and unrequested names; never follows links", async () => {
    const tarball = await archive(
      [
        { name: "passwd", type: "symlink", linkname: "/etc/passwd" },
        { name: "hard", type: "link", linkname: "/etc/shadow" },
        { name: "dev", type: "character-device", devmajor: 1, devminor: 3 },
        { name: "../../evil", type: "file", size: 4 },
        { name: "/abs", type: "file", size: 4 },
        { name: "surprise.txt", type: "file", size: 4 },
        { name: "wanted.txt", type: "file", size: 4 },
      ],
      { "../../evil": Buffer.from("evil"), "/abs": Buffer.from("abso"), "surprise.txt": Buffer.from("boo!"), "wanted.txt": Buffer.from("good") },
    );
    const wanted = new Set(["passwd", "hard", "dev", "../../evil", "/abs", "wanted.txt"]);
    const { files, refused } = await unpackWorkspaceFiles(tarball, { wanted, maxFileSize: 1024, binaryFiles: "base64" });
    expect(files.map((f) => f.path)).toEqual(["wanted.txt"]);
    expect(refused.map((r) => [r.path, r.reason])).toEqual([
      ["passwd", "symlink"],
      ["hard", "hardlink"],
      ["dev", "special-file"],
      ["../../evil", "invalid-path"],
      ["/abs", "invalid-path"],
      ["surprise.txt", "invalid-path"],
    ]);
  });

  it("refuses entries larger than maxFileSize without buffering them, and binaries when configured to", async () => {
    const big = Buffer.alloc(2048, 97);
    const bin = Buffer.from([0, 255]);
    const tarball = await archive(
      [
        { name: "big.txt", type: "file", size: big.length },
        { name: "b.bin", type: "file", size: 2 },
      ],
      { "big.txt": big, "b.bin": bin },
    );
    const { files, refused } = await unpackWorkspaceFiles(tarball, { wanted: new Set(["big.txt", "b.bin"]), maxFileSize: 1024, binaryFiles: "refuse" });
    expect(files).toEqual([]);
    expect(refused.map((r) => [r.path, r.reason])).toEqual([
      ["big.txt", "too-large"],
      ["b.bin", "binary"],
    ]);
  });
});

describe("encodeFileContent", () => {
  it("keeps valid UTF-8 as text and anything else as base64", () => {
    expect(encodeFileContent(Buffer.from("ciao ✓"), "base64")).toEqual({ content: "ciao ✓", encoding: "utf8" });
    expect(encodeFileContent(Buffer.from([0x61, 0x00]), "base64")).toEqual({ content: "YQA=", encoding: "base64" });
    expect(encodeFileContent(Buffer.from([0xff, 0xfe, 0x41]), "base64")?.encoding).toBe("base64");
    expect(encodeFileContent(Buffer.from([0xff]), "refuse")).toBeNull();
  });
});
