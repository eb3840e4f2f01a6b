import { describe, expect, it } from "vitest";
import { ShellRegistry } from "./shell-registry";

describe("ShellRegistry", () => {
  const limits = { perProject: 2, perUser: 3 };

  it("refuses past the per-project and the per-user limit, and a released slot is free again", () => {
    const registry = new ShellRegistry();
    const a = registry.reserve(1, 10, limits);
    registry.reserve(1, 10, limits);
    expect(() => registry.reserve(1, 10, limits)).toThrow(/2 shells open in this project/);
    registry.reserve(1, 11, limits);
    expect(() => registry.reserve(1, 12, limits)).toThrow(/3 shells open \(SANDBOX_SHELL_MAX_PER_USER\)/);
    registry.reserve(2, 10, limits); // another user has limits of their own
    a();
    a(); // releasing twice frees one slot only
    expect(registry.open(1)).toBe(2);
    expect(registry.open(1, 10)).toBe(1);
    expect(() => registry.reserve(1, 12, limits)).not.toThrow();
    expect(() => registry.reserve(1, 13, limits)).toThrow();
  });

  it("closes every tracked session on shutdown, and forgets untracked ones", () => {
    const registry = new ShellRegistry();
    const closed: string[] = [];
    registry.track({ close: () => closed.push("a") });
    const untrack = registry.track({ close: () => closed.push("b") });
    untrack();
    expect(registry.closeAll()).toBe(1);
    expect(closed).toEqual(["a"]);
  });
});
