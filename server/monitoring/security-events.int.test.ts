import { describe, expect, it } from "vitest";
import { sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { verifyCredentials } from "@/server/services/users/user-service";
import { securityCounters } from "./security-events";

const total = (kind: "user" | "project", id: string, signal: "failed_sign_ins" | "rejected_paths") =>
  securityCounters()
    .series()
    .filter((s) => s.subject.kind === kind && s.subject.id === id && s.signal === signal)
    .reduce((sum, s) => sum + s.values.reduce((a, b) => a + b, 0), 0);

describe("security counters are fed where requests are refused", () => {
  it("a wrong password counts against the account, an unknown email against the email; a right one counts nothing", async () => {
    const user = await makeUser();
    expect(await verifyCredentials(user.email, "wrong password")).toBeNull();
    expect(await verifyCredentials(user.email, "wrong again")).toBeNull();
    expect(await verifyCredentials("nobody-here@test.local", "whatever")).toBeNull();
    expect(await verifyCredentials(user.email, user.password)).not.toBeNull();
    expect(total("user", String(user.id), "failed_sign_ins")).toBe(2);
    expect(total("user", "unknown:nobody-here@test.local", "failed_sign_ins")).toBe(1);
  });

  it("a traversal path refused by the API's input validation counts against the caller", async () => {
    const user = await makeUser();
    const caller = await sessionCaller(user.id);
    const project = await caller.projects.create({ name: "probe", template: "python-script" });
    await expect(caller.files.read({ projectId: project.id, path: "../../etc/passwd" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.files.writeMany({ projectId: project.id, writes: [], deletes: ["/etc/shadow", "ok.txt", "a/../../b"] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    // A refusal for another reason (a missing file) is not a rejected path.
    await expect(caller.files.read({ projectId: project.id, path: "missing.txt" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(total("user", String(user.id), "rejected_paths")).toBe(3);
  });
});
