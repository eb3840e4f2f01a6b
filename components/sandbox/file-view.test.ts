import { describe, expect, it } from "vitest";
import { base64Bytes, formatBytes, imageDataUrl, imageTypeOf, isSvg } from "./file-view";

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
});
