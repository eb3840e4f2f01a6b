import { describe, expect, it } from "vitest";
import { contentTypeHeader, fileMediaType, wantsRawBytes } from "./file-media-type";

describe("a stored file's media type", () => {
  it("comes from the extension, else from how it is stored", () => {
    expect(fileMediaType("img/logo.PNG", "base64")).toBe("image/png");
    expect(fileMediaType("data.bin", "base64")).toBe("application/octet-stream");
    expect(fileMediaType("src/index.ts", "utf8")).toBe("text/plain");
    expect(fileMediaType(".env", "utf8")).toBe("text/plain");
    expect(contentTypeHeader("application/json", "utf8")).toBe("application/json; charset=utf-8");
    expect(contentTypeHeader("image/png", "base64")).toBe("image/png");
  });

  it("is served raw only when the Accept header asks for bytes or the file's own type", () => {
    expect(wantsRawBytes(null, "image/png")).toBe(false);
    expect(wantsRawBytes("*/*", "image/png")).toBe(false);
    expect(wantsRawBytes("application/json", "application/json")).toBe(false);
    expect(wantsRawBytes("application/octet-stream", "text/plain")).toBe(true);
    expect(wantsRawBytes("image/avif,image/webp,*/*;q=0.8", "image/png")).toBe(true);
    expect(wantsRawBytes("text/html", "image/png")).toBe(false);
    expect(wantsRawBytes("application/json, application/octet-stream;q=0.1", "image/png")).toBe(false);
    expect(wantsRawBytes("application/json;q=0.5, image/*", "image/png")).toBe(true);
    expect(wantsRawBytes("image/png;q=0", "image/png")).toBe(false);
  });
});
