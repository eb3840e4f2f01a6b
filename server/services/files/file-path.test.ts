import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contentSize } from "./file-content";
import { assertFilePath, isUnder, MAX_PATH_DEPTH, pathProblem } from "./file-path";

describe("file paths", () => {
  it("accepts ordinary relative paths and refuses escapes with a reason", () => {
    expect(pathProblem("src/components/App.tsx")).toBeNull();
    for (const bad of ["../x", "a/../../x", "/etc/passwd", "a\u0000b", "a\\b", "./a", "a//b", "", `${"d/".repeat(MAX_PATH_DEPTH)}f`, "x".repeat(501)]) {
      expect(pathProblem(bad), JSON.stringify(bad)).not.toBeNull();
      expect(() => assertFilePath(bad)).toThrow(/rejected path/);
    }
  });

  it("never accepts a path that leaves the workspace (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom("..", ".", "", "a", "b"), fc.string({ maxLength: 5 })), { minLength: 1, maxLength: 8 }), (segments) => {
        const path = segments.join("/");
        if (pathProblem(path) === null) {
          expect(path.startsWith("/")).toBe(false);
          expect(path.split("/")).not.toContain("..");
        }
      }),
    );
  });

  it("isUnder matches a folder and its contents, not a sibling with the same prefix", () => {
    expect(isUnder("src/a.ts", "src")).toBe(true);
    expect(isUnder("src", "src")).toBe(true);
    expect(isUnder("srcx/a.ts", "src")).toBe(false);
  });

  it("measures decoded sizes and refuses non-canonical base64", () => {
    expect(contentSize("a", "héllo", "utf8")).toBe(6);
    expect(contentSize("a", "AAEC", "base64")).toBe(3);
    expect(() => contentSize("a", "A", "base64")).toThrow(/not valid base64/);
  });
});
