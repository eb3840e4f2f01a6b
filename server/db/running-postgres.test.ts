import { describe, expect, it } from "vitest";
import { isLivePostgres, parsePostmasterPid } from "./running-postgres";

// The layout PostgreSQL 18 writes (src/include/utils/pidfile.h): pid, data dir, start time, port,
// socket dir, listen address, shared memory key, status.
const file = (status: string, port = "54329") => `4242\n/data/postgres\n1764676800\n${port}\n/tmp\n127.0.0.1\n  1234567     65538\n${status}\n`;

describe("parsePostmasterPid", () => {
  it("reads the pid, the port and the status of a live postmaster", () => {
    expect(parsePostmasterPid(file("ready   "), () => true)).toEqual({ pid: 4242, port: 54329, status: "ready" });
    expect(parsePostmasterPid(file("starting"), () => true)).toEqual({ pid: 4242, port: 54329, status: "starting" });
  });

  it("is null for a stale file (the pid is gone) or garbage", () => {
    expect(parsePostmasterPid(file("ready"), () => false)).toBeNull();
    expect(parsePostmasterPid("", () => true)).toBeNull();
    expect(parsePostmasterPid("not a pid\n", () => true)).toBeNull();
  });

  it("treats a live postmaster without a port or status yet as starting", () => {
    expect(parsePostmasterPid("4242\n/data/postgres\n", () => true)).toEqual({ pid: 4242, port: 0, status: "starting" });
    expect(parsePostmasterPid(file("", "54329"), () => true)).toEqual({ pid: 4242, port: 54329, status: "starting" });
  });
});

describe("isLivePostgres (may a stale postmaster.pid be removed?)", () => {
  it("keeps the file for a live postgres, and where /proc cannot tell", () => {
    expect(isLivePostgres(process.pid, () => "postgres")).toBe(true);
    expect(isLivePostgres(process.pid, () => null)).toBe(true);
  });
  it("lets it go for a pid reused by another program, or a dead pid", () => {
    expect(isLivePostgres(process.pid, () => "node")).toBe(false);
    expect(isLivePostgres(2 ** 22 + 12345, () => "postgres")).toBe(false);
  });
});
