import { describe, expect, it } from "vitest";
import { conflictingVersion, readForUpload } from "./upload";

describe("readForUpload", () => {
  it("keeps UTF-8 text as text", async () => {
    expect(await readForUpload(new Blob(["héllo\n"]))).toEqual({ content: "héllo\n", encoding: "utf8" });
  });
  it("sends bytes with NUL or invalid UTF-8 as base64", async () => {
    expect(await readForUpload(new Blob([new Uint8Array([0, 1, 2, 255])]))).toEqual({ content: "AAEC/w==", encoding: "base64" });
    expect(await readForUpload(new Blob([new Uint8Array([0xc3, 0x28])]))).toEqual({ content: "wyg=", encoding: "base64" });
  });
});

describe("conflictingVersion", () => {
  const v = "a".repeat(64);
  it("reads the current version of the path from a tRPC CONFLICT", () => {
    const error = {
      data: {
        code: "CONFLICT",
        conflicts: [
          { path: "b.txt", baseVersion: null, currentVersion: "b".repeat(64) },
          { path: "a.txt", baseVersion: null, currentVersion: v },
        ],
      },
    };
    expect(conflictingVersion(error, "a.txt")).toBe(v);
  });
  it("is null for other errors, other paths and a file deleted meanwhile", () => {
    expect(conflictingVersion({ data: { code: "BAD_REQUEST", conflicts: [{ path: "a.txt", currentVersion: v }] } }, "a.txt")).toBeNull();
    expect(conflictingVersion({ data: { code: "CONFLICT", conflicts: [{ path: "b.txt", currentVersion: v }] } }, "a.txt")).toBeNull();
    expect(conflictingVersion({ data: { code: "CONFLICT", conflicts: [{ path: "a.txt", currentVersion: null }] } }, "a.txt")).toBeNull();
    expect(conflictingVersion({ data: { code: "CONFLICT", conflicts: null } }, "a.txt")).toBeNull();
    expect(conflictingVersion(new Error("x"), "a.txt")).toBeNull();
    expect(conflictingVersion(null, "a.txt")).toBeNull();
  });
});
