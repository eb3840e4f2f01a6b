import { beforeAll, describe, expect, it } from "vitest";
import type { ApiScope } from "@/server/auth/auth-user";
import { API_SCOPES } from "@/server/auth/auth-user";
import { executionRepository } from "@/server/repositories/execution-repository";
import { itCoversEveryProcedure } from "./attack-coverage";
import { keyCaller, sessionCaller } from "./callers";
import { callerWithHeaders, makeUser } from "@/test/fixtures/accounts";
import { executionOutcome } from "@/test/fixtures/execution-outcomes";

// The attack matrix of STYLE.md §12: every procedure of a router, called as each caller that
// must be refused. Another user's project answers exactly as a missing one (NOT_FOUND), so
// existence never leaks; a public project is readable by others, never writable or runnable.

export type Caller = Awaited<ReturnType<typeof callerWithHeaders>>;
export interface Target {
  projectId: number;
  executionId: number;
}
export interface AttackedProcedure {
  /** Scopes an API key needs; a key lacking any of them is FORBIDDEN. */
  scopes: ApiScope[];
  /** "read" procedures work on someone else's public project; "write" ones answer NOT_FOUND; "none" take no project. */
  access: "read" | "write" | "none";
  call: (caller: Caller, target: Target) => Promise<unknown>;
}

const makeOwnedTarget = (isPublic: boolean, owner: { id: number }) => makeTarget(isPublic, owner);

/** Drains a subscription so errors raised inside its generator surface. */
export async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterable) break;
}

/** A project of a fresh owner with one file and one finished execution. */
export async function makeTarget(isPublic = false, existingOwner?: { id: number }): Promise<Target & { ownerId: number }> {
  const owner = existingOwner ?? (await makeUser());
  const caller = await sessionCaller(owner.id);
  const project = await caller.projects.create({ name: "target", template: "python-script", isPublic });
  await caller.files.write({ projectId: project.id, path: "a.txt", content: "secret" });
  const row = await executionRepository.start({
    projectId: project.id,
    userId: owner.id,
    executedCode: "echo",
    language: null,
    executionType: "run",
    executedByAi: null,
  });
  await executionRepository.finish(row.id, executionOutcome({ output: "secret output" }));
  return { projectId: project.id, executionId: row.id, ownerId: owner.id };
}

export function attackRouter(name: string, procedures: Record<string, AttackedProcedure>): void {
  // One owner and one stranger per router: each test gets fresh projects, not fresh accounts.
  let owner: { id: number; role: string };
  let stranger: { id: number; role: string };
  const makeTarget = (isPublic = false) => makeOwnedTarget(isPublic, owner);
  beforeAll(async () => {
    owner = await makeUser();
    stranger = await makeUser();
  });

  describe(`${name} router refuses`, () => {
    itCoversEveryProcedure(name, Object.keys(procedures));
    for (const [procedure, spec] of Object.entries(procedures)) {
      it(`${procedure}: anonymous → UNAUTHORIZED`, async () => {
        const target = await makeTarget(true);
        await expect(spec.call(await callerWithHeaders(), target)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      });

      it(`${procedure}: an API key without ${spec.scopes.join(" + ")} → FORBIDDEN`, async () => {
        const target = await makeTarget();
        for (const missing of spec.scopes) {
          const scopes = API_SCOPES.filter((s) => s !== missing && s !== "admin");
          const { caller } = await keyCaller(owner, scopes);
          await expect(spec.call(caller, target)).rejects.toMatchObject({ code: "FORBIDDEN" });
        }
      });

      if (spec.access === "none") continue;

      it(`${procedure}: another user, by session and by key → NOT_FOUND, exactly as a missing id`, async () => {
        const target = await makeTarget();
        const missing: Target = { projectId: 2_000_000_000, executionId: 2_000_000_000 };
        const bySession = await sessionCaller(stranger.id);
        const { caller: byKey } = await keyCaller(stranger, ["projects:read", "projects:write", "executions:run"]);
        for (const caller of [bySession, byKey]) {
          const refused = (await spec.call(caller, target).then(
            () => null,
            (e: unknown) => e,
          )) as { code?: string; message?: string } | null;
          const absent = (await spec.call(caller, missing).then(
            () => null,
            (e: unknown) => e,
          )) as { code?: string; message?: string } | null;
          expect(refused).toMatchObject({ code: "NOT_FOUND" });
          expect(absent).toMatchObject({ code: "NOT_FOUND" });
          const strip = (m?: string) => m?.replace(/\d+/g, "N");
          expect(strip(refused?.message)).toBe(strip(absent?.message));
        }
      });

      it(`${procedure}: another user on a public project → ${spec.access === "read" ? "allowed" : "NOT_FOUND"}`, async () => {
        const target = await makeTarget(true);
        const strangerSession = await sessionCaller(stranger.id);
        if (spec.access === "read") await expect(spec.call(strangerSession, target)).resolves.not.toThrow();
        else await expect(spec.call(strangerSession, target)).rejects.toMatchObject({ code: "NOT_FOUND" });
      });
    }
  });
}
