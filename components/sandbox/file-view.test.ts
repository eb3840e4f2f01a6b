import { describe, expect, it } from "vitest";
import { base64Bytes, binaryKindOf, formatBytes, imageDataUrl, imageTypeOf, isSvg, mediaTypeOf } from "./file-view";

describe("file view", () => {
  it("knows the image types browsers draw, by extension", () => {
    expect(imageTypeOf("assets/logo.PNG")).toBe("image/png");
    expect(imageTypeOf("a.jpeg")).toBe("image/jpeg");
    expect(imageTypeOf("public/vite.svg")).toBe("image/svg+xml");
    expect(imageTypeOf("x.webp")).toBe("image/webp");
    expect(imageTypeOf("data.bin")).toBeNull();
    expect(imageTypeOf(".png")).toBeNull();
    expect(imageTypeOf("png")).toBeNull();
    expect(isSvg("a/b.svg")).toBe(true);
  });

  it("SVG text becomes an image URL that cannot break out of its attribute", () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>"'</svg>`;
    const url = imageDataUrl("image/svg+xml", svg, "utf8");
    expect(url.startsWith("data:image/svg+xml;charset=utf-8,")).toBe(true);
    expect(url).not.toMatch(/[<>"' ]/);
    expect(decodeURIComponent(url.slice(url.indexOf(",") + 1))).toBe(svg);
    expect(imageDataUrl("image/png", "iVBORw0KGgo=", "base64")).toBe("data:image/png;base64,iVBORw0KGgo=");
  });

  it("sizes and bytes", () => {
    expect(formatBytes(1)).toBe("1 byte");
    expect(formatBytes(512)).toBe("512 bytes");
    expect(formatBytes(2048)).toBe("2.0 KB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MB");
    expect([...base64Bytes("AAEC/w==")]).toEqual([0, 1, 2, 255]);
  });

  it("names common binary formats by their signature, whatever the file is called", () => {
    const bytes = (...parts: (string | number[])[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));
    const tar = new Uint8Array(512);
    tar.set(bytes("ustar"), 257);
    const cases: [Uint8Array, string | null][] = [
      [bytes("%PDF-1.7\n"), "PDF document"],
      [bytes([0x50, 0x4b, 0x03, 0x04, 20, 0]), "ZIP archive"],
      [bytes([0x1f, 0x8b, 8, 0]), "gzip archive"],
      [tar, "tar archive"],
      [bytes([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), "WebAssembly module"],
      [bytes([0x7f], "ELF", [2, 1]), "ELF executable"],
      [bytes("SQLite format 3", [0]), "SQLite database"],
      [bytes("wOF2"), "web font"],
      [bytes("RIFF", [0, 0, 0, 0], "WAVEfmt "), "WAV audio"],
      [bytes("ID3", [4, 0]), "MP3 audio"],
      [bytes("OggS", [0]), "Ogg media"],
      [bytes([0, 0, 0, 0x20], "ftypisom"), "MP4 media"],
      [bytes([0x1a, 0x45, 0xdf, 0xa3]), "WebM media"],
      [bytes([0, 1, 2, 3, 255, 254, 0, 7]), null],
      [new Uint8Array(0), null],
      [bytes("%PD"), null],
    ];
    for (const [input, kind] of cases) expect(binaryKindOf(input), String([...input.subarray(0, 8)])).toBe(kind);
  });

  it("plays common audio and video types, by extension", () => {
    expect(mediaTypeOf("sounds/tone.WAV")).toBe("audio/wav");
    expect(mediaTypeOf("a.mp3")).toBe("audio/mpeg");
    expect(mediaTypeOf("clip.webm")).toBe("video/webm");
    expect(mediaTypeOf("clip.mp4")).toBe("video/mp4");
    expect(mediaTypeOf("doc.pdf")).toBeNull();
    expect(mediaTypeOf("wav")).toBeNull();
  });
});
