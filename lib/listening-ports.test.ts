import { describe, expect, it } from "vitest";
import { listeningPortsInProcNet, OutputPortScanner, portsInOutput } from "./listening-ports";

describe("portsInOutput", () => {
  it.each([
    ["  \u001b[32m➜\u001b[39m  \u001b[1mLocal\u001b[22m:   \u001b[36mhttp://127.0.0.1:\u001b[1m5173\u001b[22m/\u001b[39m", [5173]],
    ["API listening on http://127.0.0.1:8080", [8080]],
    ["Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...", [8000]],
    [" * Running on http://localhost:5000", [5000]],
    ["Listening on port 3000", [3000]],
    ["server listening on :4000", [4000]],
    ["ready on http://[::]:3001 and http://[::1]:3002", [3001, 3002]],
  ])("finds the port in %j", (text, ports) => {
    expect(portsInOutput(text)).toEqual(ports);
  });

  it.each([
    "fetched https://example.com:8443/api",
    "Tests 4 passed (4)",
    "build took 5173ms",
    "connected to db at 10.0.0.5:5432",
    "port 70000 is not a port",
    "http://localhost:0/",
  ])("names no port in %j", (text) => {
    expect(portsInOutput(text)).toEqual([]);
  });
});

describe("OutputPortScanner", () => {
  it("sees an address split across chunks, once", () => {
    const scanner = new OutputPortScanner();
    expect(scanner.feed("VITE ready\n  Local:   http://127.0.0")).toEqual([]);
    expect(scanner.feed(".1:5173/\n")).toEqual([5173]);
    expect(scanner.feed("again http://127.0.0.1:5173/\n")).toEqual([]);
    expect(scanner.ports).toEqual([5173]);
  });
});

describe("listeningPortsInProcNet", () => {
  it("keeps LISTEN sockets of tcp and tcp6, not connections", () => {
    const text = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 0100007F:1435 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1234 1 0 100 0 0 10 0",
      "   1: 0100007F:1435 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 1235 1 0 20 4 30 10 -1",
      "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 99 1 0 100 0 0 10 0",
      "garbage",
    ].join("\n");
    expect(listeningPortsInProcNet(text)).toEqual([5173, 8080]);
  });
});
