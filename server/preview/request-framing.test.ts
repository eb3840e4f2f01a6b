import { describe, expect, it } from "vitest";
import { framingHeaders, requestFraming } from "./request-framing";

describe("requestFraming", () => {
  it("states the length Node read, chunked for a chunked body, and nothing for no body", () => {
    expect(requestFraming({ "content-length": "12" })).toEqual({ kind: "length", length: 12 });
    expect(requestFraming({ "content-length": "0" })).toEqual({ kind: "none" });
    expect(requestFraming({ "transfer-encoding": "chunked" })).toEqual({ kind: "chunked" });
    expect(requestFraming({ "transfer-encoding": " Chunked " })).toEqual({ kind: "chunked" });
    expect(requestFraming({})).toEqual({ kind: "none" });
  });

  it("refuses conflicting or unusual framing", () => {
    expect(requestFraming({ "content-length": "5", "transfer-encoding": "chunked" })).toHaveProperty("refused");
    expect(requestFraming({ "transfer-encoding": "gzip, chunked" })).toHaveProperty("refused");
    expect(requestFraming({ "transfer-encoding": "chunked, chunked" })).toHaveProperty("refused");
    expect(requestFraming({ "transfer-encoding": "identity" })).toHaveProperty("refused");
    expect(requestFraming({ "content-length": "5, 5" })).toHaveProperty("refused");
    expect(requestFraming({ "content-length": "-1" })).toHaveProperty("refused");
    expect(requestFraming({ "content-length": "0x10" })).toHaveProperty("refused");
  });

  it("refuses a WebSocket handshake with a body", () => {
    expect(requestFraming({ "content-length": "4" }, { upgrade: true })).toHaveProperty("refused");
    expect(requestFraming({ "transfer-encoding": "chunked" }, { upgrade: true })).toHaveProperty("refused");
    expect(requestFraming({ "content-length": "0" }, { upgrade: true })).toEqual({ kind: "none" });
  });
});

describe("framingHeaders", () => {
  it("always frames: a length, chunked, or Content-Length: 0 where clients state an empty body", () => {
    expect(framingHeaders({ kind: "length", length: 3 }, "GET")).toEqual(["Content-Length", "3"]);
    expect(framingHeaders({ kind: "chunked" }, "DELETE")).toEqual(["Transfer-Encoding", "chunked"]);
    expect(framingHeaders({ kind: "none" }, "POST")).toEqual(["Content-Length", "0"]);
    expect(framingHeaders({ kind: "none" }, "GET")).toEqual([]);
  });
});
