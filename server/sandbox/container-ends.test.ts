import { describe, expect, it } from "vitest";
import { ContainerEnds } from "./container-ends";

describe("ContainerEnds", () => {
  it("counts oom events per container and wakes whoever waits for the end", async () => {
    const ends = new ContainerEnds();
    const waiting = ends.whenEnded("a", 5_000);
    ends.noteOom("a");
    ends.noteOom("a");
    expect(ends.oomsOf("a")).toBe(2);
    expect(ends.oomsOf("b")).toBe(0);
    ends.noteEnded("a");
    expect(await waiting).toBe(true);
    // Known already: answered at once.
    expect(await ends.whenEnded("a", 0)).toBe(true);
  });

  it("answers false when the end does not come in time", async () => {
    const ends = new ContainerEnds();
    const started = Date.now();
    expect(await ends.whenEnded("silent", 30)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    ends.noteEnded("silent");
    expect(await ends.whenEnded("silent", 30)).toBe(true);
  });

  it("forgets containers past their age and beyond its size, oldest first", () => {
    let now = 0;
    const ends = new ContainerEnds(1_000, 3, () => now);
    for (const id of ["a", "b", "c", "d"]) ends.noteOom(id);
    expect(ends.size).toBe(3);
    expect(ends.oomsOf("a")).toBe(0);
    expect(ends.oomsOf("d")).toBe(1);
    now = 500;
    ends.noteOom("b");
    now = 1_200;
    ends.noteOom("e");
    // c and d were last touched at 0, more than 1 s ago; b at 500.
    expect(ends.oomsOf("c")).toBe(0);
    expect(ends.oomsOf("d")).toBe(0);
    expect(ends.oomsOf("b")).toBe(2);
    expect(ends.size).toBe(2);
  });
});
