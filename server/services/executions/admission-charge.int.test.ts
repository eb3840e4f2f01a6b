import { describe, expect, it } from "vitest";
import { getEnv } from "@/lib/env";
import { makeUser } from "@/test/fixtures/accounts";
import { type AuthUser, sessionScopes } from "@/server/auth/auth-user";
import { getPrisma } from "@/server/db/client";
import { AppError } from "@/server/errors/app-error";
import { RATE_LIMIT_TABLE } from "@/server/limits/rate-limits";
import { projectRepository } from "@/server/repositories/project-repository";
import { startExecution } from "./start-execution";

// An execution's rate-limit windows are charged beside its access read once the caller is known
// to own the project (or is an admin): one round trip fewer. What must still hold: a refused
// request costs no points, and a stranger's request never touches another's project window.
// This process runs no sandbox engine, so an admitted request is refused at requireEngine(),
// after the charge: the refusal path is exactly what is tested here.

async function caller(role: "user" | "admin" = "user"): Promise<AuthUser> {
  const u = await makeUser(role);
  return { id: u.id, email: u.email, role, via: "session", scopes: sessionScopes(role), apiKeyId: null, defaultAiPersonality: null };
}

/** The points a window holds now (0 when it has no row or its window has passed). */
async function points(key: string): Promise<number> {
  const rows = await getPrisma().$queryRawUnsafe<{ points: number }[]>(
    `SELECT points FROM ${RATE_LIMIT_TABLE} WHERE key = $1 AND (expire IS NULL OR expire > $2)`,
    key,
    Date.now(),
  );
  return rows[0]?.points ?? 0;
}

const run = (user: AuthUser, projectId: number) =>
  startExecution({ user, ai: null }, projectId, { kind: "command", command: "echo hi" }, getEnv()).then(
    () => null,
    (e: unknown) => e,
  );

describe("execution admission charges", () => {
  it("gives back what an owner known to this process was charged when the run is refused later (no engine here)", async () => {
    const owner = await caller();
    const { id } = await projectRepository.create({ name: "charged", description: null, userId: owner.id, createdByAi: null, templateType: null });
    // The first run learns the owner (charged after the read); the next ones are charged beside it.
    for (let i = 0; i < 3; i++) {
      const err = await run(owner, id);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("UNAVAILABLE");
    }
    expect(await points(`exec-project:${id}`)).toBe(0);
    expect(await points(`exec-user:${owner.id}`)).toBe(0);
  });

  it("refuses a stranger with 404 and never charges the project's window, even for a moment", async () => {
    const owner = await caller();
    const stranger = await caller();
    const { id } = await projectRepository.create({ name: "not yours", description: null, userId: owner.id, createdByAi: null, templateType: null });
    await run(owner, id); // the owner is now known to this process
    const err = await run(stranger, id);
    expect((err as AppError).code).toBe("NOT_FOUND");
    expect(await points(`exec-project:${id}`)).toBe(0);
    // Not charged and given back: no row was ever written for the stranger's window either.
    const rows = await getPrisma().$queryRawUnsafe<unknown[]>(`SELECT 1 FROM ${RATE_LIMIT_TABLE} WHERE key = $1`, `exec-user:${stranger.id}`);
    expect(rows).toHaveLength(0);
  });

  it("gives back an admin's early charge when the project does not exist (404)", async () => {
    const admin = await caller("admin");
    const missing = 2_000_000_000;
    const err = await run(admin, missing);
    expect((err as AppError).code).toBe("NOT_FOUND");
    expect(await points(`exec-project:${missing}`)).toBe(0);
    expect(await points(`exec-user:${admin.id}`)).toBe(0);
  });

  it("refuses a request that could never run before reading or charging anything (400)", async () => {
    const owner = await caller();
    const { id } = await projectRepository.create({ name: "bad", description: null, userId: owner.id, createdByAi: null, templateType: null });
    const longAgo = new Date("2020-01-01T00:00:00Z");
    await getPrisma().sandboxProject.update({ where: { id }, data: { lastAccessedAt: longAgo } });
    const err = await startExecution({ user: owner, ai: null }, id, { kind: "code", language: "cobol" as "python", code: "x" }, getEnv()).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as AppError).code).toBe("BAD_REQUEST");
    // The access read touches lastAccessedAt: untouched, it was never made.
    expect((await projectRepository.findById(id))?.lastAccessedAt).toEqual(longAgo);
    expect(await points(`exec-user:${owner.id}`)).toBe(0);
  });
});
