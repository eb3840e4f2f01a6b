import { describe, expect, it } from "vitest";
import { SANDBOX_USER } from "./container-spec";
import { AGENT_BINARY, sandboxExec } from "./sandbox-exec";

describe("sandboxExec", () => {
  it("runs sandbox-user commands as root through the agent's privilege drop, in place", () => {
    expect(sandboxExec(["bash", "-c", "echo hi"], SANDBOX_USER, "/workspace/sub")).toEqual({
      Cmd: [AGENT_BINARY, "sandbox-exec", "--run-as", "1000:1000", "--cwd", "/workspace/sub", "--", "bash", "-c", "echo hi"],
      User: "0:0",
    });
    expect(sandboxExec(["true"], SANDBOX_USER, undefined).Cmd).toContain("/workspace");
  });

  it("leaves any other user's exec alone", () => {
    expect(sandboxExec(["id"], "0:0", undefined)).toEqual({ Cmd: ["id"], User: "0:0" });
  });
});
