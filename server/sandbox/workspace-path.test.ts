import { describe, expect, it } from "vitest";
import { checkWorkspacePath, isIgnoredPath } from "./workspace-path";

describe("checkWorkspacePath", () => {
  it.each(["a.txt", "src/index.ts", "deep/nested/dir/file.py", ".env.example", "-dash-first", "spaces in name.txt", "ünïcødé/文件.md"])(
    "accepts %j",
    (path) => {
      expect(checkWorkspacePath(path)).toEqual({ ok: true, path });
    },
  );

  it.each([
    ["", "empty path"],
    ["/etc/passwd", "absolute path"],
    ["../escape", "'..' in path"],
    ["a/../../b", "'..' in path"],
    ["a/..", "'..' in path"],
    ["./a", "'.' segment in path"],
    ["a//b", "empty path segment"],
    ["dir/", "empty path segment"],
    ["a\\b", "backslash in path"],
    ["..\\..\\windows", "backslash in path"],
    ["nul\u0000byte", "control character in path"],
    ["new\nline", "control character in path"],
    ["esc\u001b[31m", "control character in path"],
    ["x".repeat(501), "path longer than 500 characters"],
    [`${"y".repeat(256)}/f`, "path segment too long"],
  ])("rejects %j (%s)", (path, reason) => {
    expect(checkWorkspacePath(path)).toEqual({ ok: false, reason });
  });
});

describe("isIgnoredPath", () => {
  const ignore = ["node_modules", ".git", "__pycache__"];
  it("matches any segment exactly", () => {
    expect(isIgnoredPath("node_modules/lodash/index.js", ignore)).toBe(true);
    expect(isIgnoredPath("pkg/node_modules/x", ignore)).toBe(true);
    expect(isIgnoredPath("src/__pycache__/m.pyc", ignore)).toBe(true);
    expect(isIgnoredPath(".git", ignore)).toBe(true);
  });
  it("does not match prefixes or substrings", () => {
    expect(isIgnoredPath("node_modules_backup/x", ignore)).toBe(false);
    expect(isIgnoredPath("src/.gitignore", ignore)).toBe(false);
  });
});
