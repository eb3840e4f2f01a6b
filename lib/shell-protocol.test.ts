import { describe, expect, it } from "vitest";
import { parseShellClientMessage, shellSizeFromQuery } from "./shell-protocol";

describe("shell protocol", () => {
  it("accepts a resize within bounds and nothing else", () => {
    expect(parseShellClientMessage('{"type":"resize","cols":120,"rows":40}')).toEqual({ type: "resize", cols: 120, rows: 40 });
    for (const bad of [
      "not json",
      "null",
      "[]",
      '{"type":"resize","cols":0,"rows":40}',
      '{"type":"resize","cols":120.5,"rows":40}',
      '{"type":"resize","cols":501,"rows":40}',
      '{"type":"resize","cols":"120","rows":40}',
      '{"type":"exec","cmd":"rm -rf /"}',
      `{"type":"resize","cols":80,"rows":24,"pad":"${"x".repeat(2000)}"}`,
    ]) {
      expect(parseShellClientMessage(bad)).toBeNull();
    }
  });

  it("reads the initial size from the query, clamped, with 80x24 as the default", () => {
    expect(shellSizeFromQuery(new URLSearchParams("cols=100&rows=30"))).toEqual({ cols: 100, rows: 30 });
    expect(shellSizeFromQuery(new URLSearchParams("cols=99999&rows=-3"))).toEqual({ cols: 500, rows: 24 });
    expect(shellSizeFromQuery(new URLSearchParams(""))).toEqual({ cols: 80, rows: 24 });
  });
});
