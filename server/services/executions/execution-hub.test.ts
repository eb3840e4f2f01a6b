import { describe, expect, it } from "vitest";
import type { ExecutionEvent } from "@/server/sandbox/execution-types";
import { ExecutionHub } from "./execution-hub";

const out = (seq: number, data = `line ${seq}\n`): ExecutionEvent => ({ seq, type: "stdout", data });
const exit = (seq: number): ExecutionEvent => ({ seq, type: "exit", exitCode: 0, status: "success", reason: null, truncated: false });

describe("ExecutionHub", () => {
  it("hands a subscriber the backlog and every later event, with nothing between them lost", () => {
    const hub = new ExecutionHub();
    hub.open(1, 10, new AbortController());
    hub.push(1, out(1));
    const live: ExecutionEvent[] = [];
    const sub = hub.subscribe(1, (e) => live.push(e));
    hub.push(1, out(2));
    hub.push(1, exit(3));
    expect(sub?.backlog.map((e) => e.seq)).toEqual([1]);
    expect(live.map((e) => e.seq)).toEqual([2, 3]);
    expect(hub.isFinished(1)).toBe(true);
    hub.push(1, out(4));
    expect(live).toHaveLength(2);
  });

  it("cancels only running executions it holds", () => {
    const hub = new ExecutionHub();
    const controller = new AbortController();
    hub.open(1, 10, controller);
    expect(hub.cancel(2)).toBe(false);
    expect(hub.cancel(1)).toBe(true);
    expect(controller.signal.aborted).toBe(true);
    hub.push(1, exit(1));
    expect(hub.cancel(1)).toBe(false);
  });

  it("cancels a project's running executions only", () => {
    const hub = new ExecutionHub();
    const [a, b, other] = [new AbortController(), new AbortController(), new AbortController()];
    hub.open(1, 10, a);
    hub.open(2, 10, b);
    hub.open(3, 11, other);
    hub.push(2, exit(1));
    expect(hub.cancelProject(10)).toBe(1);
    expect([a.signal.aborted, b.signal.aborted, other.signal.aborted]).toEqual([true, false, false]);
  });

  it("keeps at most maxFinished finished executions, never one that is being watched", () => {
    const hub = new ExecutionHub(60_000, 2);
    for (const id of [1, 2, 3, 4]) hub.open(id, 10, new AbortController());
    const watched = hub.subscribe(1, () => {});
    for (const id of [1, 2, 3, 4]) hub.push(id, exit(1));
    expect(hub.subscribe(1, () => {})).not.toBeNull();
    expect(hub.subscribe(2, () => {})).toBeNull();
    expect(hub.subscribe(4, () => {})).not.toBeNull();
    watched?.unsubscribe();
  });

  it("tells a project's watchers about each execution opened in it, until they stop watching", () => {
    const hub = new ExecutionHub();
    const seen: number[] = [];
    const stop = hub.watchProject(10, (id) => seen.push(id));
    hub.open(1, 10, new AbortController());
    hub.open(2, 11, new AbortController());
    hub.open(3, 10, new AbortController());
    stop();
    hub.open(4, 10, new AbortController());
    expect(seen).toEqual([1, 3]);
  });
});
