import { refusal } from "@/test/support/refusal";
import { randomUUID } from "node:crypto";
import { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { SEED_RATE_LIMITS, type RateLimitConfig } from "./rate-limit-config";
import { createRateLimits, type RateLimits } from "./rate-limits";

// Two pools stand for two app instances: they share nothing but the database.
let poolA: Pool;
let poolB: Pool;
// A table of its own: the global creation counter must not see other test files' sandboxes.
const table = `rate_limits_test_${randomUUID().replace(/-/g, "").slice(0, 12)}`;

beforeAll(() => {
  poolA = new Pool({ connectionString: inject("databaseUrl"), max: 4 });
  poolB = new Pool({ connectionString: inject("databaseUrl"), max: 4 });
});

afterAll(async () => {
  await poolA.query(`DROP TABLE IF EXISTS "${table}"`);
  await Promise.all([poolA.end(), poolB.end()]);
});

const id = (prefix: string) => `${prefix}-${randomUUID()}`;
const limits = (pool: Pool, config: RateLimitConfig = SEED_RATE_LIMITS) => createRateLimits(pool, config, { tableName: table });

async function times(n: number, fn: () => Promise<void>): Promise<void> {
  for (let i = 0; i < n; i++) await fn();
}

describe("rate limits in PostgreSQL", () => {
  let a: RateLimits;
  let b: RateLimits;

  beforeAll(async () => {
    a = await limits(poolA);
    b = await limits(poolB);
  });

  it("refuses the 11th execution in a minute for one project, with a retry delay", async () => {
    const user = id("user");
    const project = id("project");
    await times(10, () => a.consumeExecution(user, project));
    const err = await refusal(a.consumeExecution(user, project));
    expect(err.code).toBe("TOO_MANY_REQUESTS");
    expect(err.message).toMatch(/^at most 10 executions per project per minute; retry in \d+ s$/);
    expect(err.details?.retryAfterSeconds).toBeGreaterThan(0);
    expect(err.details?.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it("shares counts between two app instances", async () => {
    const user = id("user");
    const project = id("project");
    await times(6, () => a.consumeExecution(user, project));
    await times(4, () => b.consumeExecution(user, project));
    expect((await refusal(b.consumeExecution(user, project))).code).toBe("TOO_MANY_REQUESTS");
    expect((await refusal(a.consumeExecution(user, project))).code).toBe("TOO_MANY_REQUESTS");
  });

  it("keeps projects and users independent", async () => {
    const user = id("user");
    const full = id("project");
    await times(10, () => a.consumeExecution(user, full));
    await refusal(a.consumeExecution(user, full));
    // Same user, another project; another user on another project.
    await expect(a.consumeExecution(user, id("project"))).resolves.toBeUndefined();
    await expect(b.consumeExecution(id("user"), id("project"))).resolves.toBeUndefined();
  });

  it("refuses the 51st execution per user across projects, without charging the project", async () => {
    const user = id("user");
    const projects = Array.from({ length: 5 }, () => id("project"));
    for (const project of projects) await times(10, () => a.consumeExecution(user, project));
    const spare = id("project");
    const err = await refusal(b.consumeExecution(user, spare));
    expect(err.message).toMatch(/^at most 50 executions per user per minute; retry in \d+ s$/);
    // The refused call gave its project point back: another user can still use all 10 on that project.
    await times(10, () => a.consumeExecution(id("user"), spare));
    await refusal(a.consumeExecution(id("user"), spare));
  });

  it("a refusal per project does not charge the user's window (both are charged at once, then given back)", async () => {
    const user = id("user");
    const full = id("project");
    await times(10, () => a.consumeExecution(user, full));
    for (let i = 0; i < 5; i++) expect((await refusal(a.consumeExecution(user, full))).message).toMatch(/per project per minute/);
    // 10 used: the five refused attempts gave their user point back, so 40 remain elsewhere.
    for (let i = 0; i < 4; i++) await times(10, () => b.consumeExecution(user, id("project")));
    expect((await refusal(a.consumeExecution(user, id("project")))).message).toMatch(/per user per minute/);
  });

  it("counts sandbox creations overall, per minute and per hour", async () => {
    const tight = await limits(poolA, { ...SEED_RATE_LIMITS, createPerMinute: 3, createPerHour: 2 });
    const other = await limits(poolB, { ...SEED_RATE_LIMITS, createPerMinute: 3, createPerHour: 2 });
    await tight.consumeSandboxCreation(id("user"));
    await other.consumeSandboxCreation(id("user"));
    const err = await refusal(tight.consumeSandboxCreation(id("user")));
    expect(err.message).toMatch(/^at most 2 sandboxes created per hour; retry in \d+ s$/);
    expect(err.details?.retryAfterSeconds).toBeGreaterThan(60);
  });

  it("uses the seed's numbers for sandbox creation: the 21st in a minute is refused", async () => {
    const table2 = `${table}_c`;
    try {
      const seed = await createRateLimits(poolA, SEED_RATE_LIMITS, { tableName: table2 });
      await times(20, () => seed.consumeSandboxCreation(id("user")));
      const err = await refusal(seed.consumeSandboxCreation(id("user")));
      expect(err.message).toMatch(/^at most 20 sandboxes created per minute; retry in \d+ s$/);
    } finally {
      await poolA.query(`DROP TABLE IF EXISTS "${table2}"`);
    }
  });

  it("counts creations per user too: one user cannot spend everyone's budget", async () => {
    const config = { ...SEED_RATE_LIMITS, createPerUserPerMinute: 3, createPerUserPerHour: 5 };
    const one = await limits(poolA, config);
    const two = await limits(poolB, config);
    const greedy = id("user");
    await times(2, () => one.consumeSandboxCreation(greedy));
    await two.consumeSandboxCreation(greedy);
    const err = await refusal(one.consumeSandboxCreation(greedy));
    expect(err.code).toBe("TOO_MANY_REQUESTS");
    expect(err.message).toMatch(/^at most 3 sandboxes created per user per minute; retry in \d+ s$/);
    expect(err.details?.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another user is untouched.
    await expect(two.consumeSandboxCreation(id("user"))).resolves.toBeUndefined();
  });

  it("a refusal per user does not spend the global window", async () => {
    const table3 = `${table}_u`;
    try {
      const config = { ...SEED_RATE_LIMITS, createPerMinute: 5, createPerUserPerMinute: 2 };
      const shared = await createRateLimits(poolA, config, { tableName: table3 });
      const greedy = id("user");
      await times(2, () => shared.consumeSandboxCreation(greedy));
      for (let i = 0; i < 10; i++) expect((await refusal(shared.consumeSandboxCreation(greedy))).message).toContain("per user per minute");
      // 2 of the global 5 are spent: three other users still create.
      await times(3, () => shared.consumeSandboxCreation(id("user")));
      expect((await refusal(shared.consumeSandboxCreation(id("user")))).message).toContain("at most 5 sandboxes created per minute");
    } finally {
      await poolA.query(`DROP TABLE IF EXISTS "${table3}"`);
    }
  });

  it("a user's hourly creation window holds after the minute window resets", async () => {
    const config = { ...SEED_RATE_LIMITS, createPerUserPerMinute: 100, createPerUserPerHour: 4 };
    const hourly = await limits(poolA, config);
    const user = id("user");
    await times(4, () => hourly.consumeSandboxCreation(user));
    const err = await refusal(hourly.consumeSandboxCreation(user));
    expect(err.message).toMatch(/^at most 4 sandboxes created per user per hour; retry in \d+ s$/);
    expect(err.details?.retryAfterSeconds).toBeGreaterThan(60);
  });

  it("refuses a sixth running sandbox for a user", () => {
    expect(() => a.assertCanRunAnotherSandbox(4)).not.toThrow();
    expect(() => a.assertCanRunAnotherSandbox(5)).toThrow(
      "at most 5 running sandboxes per user (SANDBOX_RATE_SANDBOXES_PER_USER; you hold 5, counting executions, processes, shells and previews); stop or release one, then retry",
    );
  });
});
