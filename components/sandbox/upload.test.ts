import { describe, expect, it } from "vitest";
import { readForUpload } from "./upload";

describe("readForUpload", () => {
  it("keeps UTF-8 text as text", async () => {
    expect(await readForUpload(new Blob(["héllo\n"]))).toEqual({ content: "héllo\n", encoding: "utf8" });
  });
  it("sends bytes with NUL or invalid UTF-8 as base64", async () => {
    expect(await readForUpload(new Blob([new Uint8Array([0, 1, 2, 255])]))).toEqual({ content: "AAEC/w==", encoding: "base64" });
    expect(await readForUpload(new Blob([new Uint8Array([0xc3, 0x28])]))).toEqual({ content: "wyg=", encoding: "base64" });
  });
});
