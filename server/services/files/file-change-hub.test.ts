import { describe, expect, it } from "vitest";
import { type FileChange, FileChangeHub } from "./file-change-hub";

const change = (path: string) => ({ upserted: [path], versions: {}, deleted: [], refused: [], source: "api" as const, aiPersonality: null });

describe("FileChangeHub", () => {
  it("a first subscriber gets a resync with the current position, then live changes of its project only", () => {
    const hub = new FileChangeHub();
    hub.publish(1, change("before.txt"));
    const seen: FileChange[] = [];
    const { missed, unsubscribe } = hub.subscribe(1, null, (c) => seen.push(c));
    expect(missed).toEqual([{ type: "resync", seq: 1 }]);
    hub.publish(2, change("other-project.txt"));
    hub.publish(1, change("a.txt"));
    expect(seen.map((c) => [c.seq, c.upserted])).toEqual([[3, ["a.txt"]]]);
    unsubscribe();
    hub.publish(1, change("b.txt"));
    expect(seen).toHaveLength(1);
  });

  it("an empty change is not published", () => {
    const hub = new FileChangeHub();
    expect(hub.publish(1, { upserted: [], versions: {}, deleted: [], refused: [], source: "execution", aiPersonality: null })).toBeNull();
    // A change that only refused a file is still news: the IDE says which file was not saved.
    const refused = [{ path: "\\xff.txt", reason: "non-utf8-name", detail: null }];
    expect(hub.publish(1, { upserted: [], versions: {}, deleted: [], refused, source: "execution", aiPersonality: null })?.refused).toEqual(refused);
  });

  it("resuming after an event id replays exactly what came after it", () => {
    const hub = new FileChangeHub();
    hub.subscribe(1, null, () => {}); // the feed exists from here on
    const ids = ["a", "b", "c"].map((p) => hub.eventId(hub.publish(1, change(p))!.seq));
    const { missed } = hub.subscribe(1, ids[0]!, () => {});
    expect(missed.map((e) => (e.type === "change" ? e.upserted[0] : "resync"))).toEqual(["b", "c"]);
    expect(hub.subscribe(1, ids[2]!, () => {}).missed).toEqual([]);
  });

  it("resyncs when the position is unknown: another epoch, a seq from the future, trimmed backlog, garbage", () => {
    const hub = new FileChangeHub(2);
    hub.subscribe(1, null, () => {});
    for (const p of ["a", "b", "c", "d"]) hub.publish(1, change(p));
    const resync = [{ type: "resync", seq: 4 }];
    const otherEpoch = hub.epoch === "00000000" ? "11111111" : "00000000";
    expect(hub.subscribe(1, `${otherEpoch}:3`, () => {}).missed).toEqual(resync);
    expect(hub.subscribe(1, hub.eventId(99), () => {}).missed).toEqual(resync);
    expect(hub.subscribe(1, hub.eventId(1), () => {}).missed).toEqual(resync); // 2 was trimmed
    expect(hub.subscribe(1, "not an id", () => {}).missed).toEqual(resync);
    expect(hub.subscribe(1, hub.eventId(2), () => {}).missed.map((e) => e.seq)).toEqual([3, 4]);
  });

  it("a project first seen after changes elsewhere does not claim to know its earlier changes", () => {
    const hub = new FileChangeHub();
    hub.publish(2, change("x"));
    hub.publish(2, change("y"));
    // Project 1's feed starts at seq 2: a client claiming position 1 for it may have missed changes.
    expect(hub.subscribe(1, hub.eventId(1), () => {}).missed).toEqual([{ type: "resync", seq: 2 }]);
    expect(hub.subscribe(1, hub.eventId(2), () => {}).missed).toEqual([]);
  });

  it("forgets projects nobody listens to after retainMs", () => {
    const hub = new FileChangeHub(200, -1);
    hub.publish(1, change("a"));
    const id = hub.eventId(1);
    hub.publish(2, change("b")); // sweeps project 1
    expect(hub.subscribe(1, id, () => {}).missed).toEqual([{ type: "resync", seq: 2 }]);
  });
});
