import { describe, expect, it } from "vitest";
import { runLimitNotice, type RunLimitInput } from "./run-limit-notice";

const base: RunLimitInput = {
  projectId: 7,
  command: "npm start",
  result: { status: "timeout", reason: null, exitCode: 137 },
  listeningPorts: [],
  timeoutMs: 30_000,
  maxTimeoutSeconds: 300,
};

describe("runLimitNotice", () => {
  it("says nothing for a run that ended by itself, or was cancelled serving nothing", () => {
    expect(runLimitNotice({ ...base, result: { status: "success", reason: null, exitCode: 0 }, listeningPorts: [5173] })).toBe("");
    expect(runLimitNotice({ ...base, result: { status: "error", reason: "cancelled", exitCode: 137 } })).toBe("");
  });

  it("states the limit and the ceiling on a timeout", () => {
    expect(runLimitNotice(base)).toBe(
      "pantheon: stopped at the run's time limit of 30 s (exit 137). Runs are for commands that finish (a longer timeout may be asked, up to 300 s);" +
        " a program meant to keep running belongs in a background process (processes.start, POST /api/sandbox/projects/7/processes, MCP start_dev_server).\n",
    );
  });

  it("names the port and the calls that start the same command in the background", () => {
    const text = runLimitNotice({ ...base, listeningPorts: [5173, 24678] });
    expect(text).toContain("time limit of 30 s (exit 137) while serving on ports 5173, 24678.");
    expect(text).toContain('processes.start {"projectId":7,"command":"npm start","port":5173} (tRPC)');
    expect(text).toContain('POST /api/sandbox/projects/7/processes {"command":"npm start","port":5173} (REST)');
    expect(text).toContain('start_dev_server {"projectId":7,"command":"npm start","port":5173} (MCP)');
  });

  it("after a cancel, and with a command too long to repeat", () => {
    const text = runLimitNotice({ ...base, command: "x".repeat(400), result: { status: "error", reason: "cancelled", exitCode: 137 }, listeningPorts: [8080] });
    expect(text.split("\n")[0]).toBe("pantheon: the run was serving on port 8080 when it was cancelled.");
    expect(text).toContain('{"command":"<your server command>","port":8080}');
  });
});
