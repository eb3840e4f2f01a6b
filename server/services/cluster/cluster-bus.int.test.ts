import pg from "pg";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { CLUSTER_CHANNEL, ClusterBus, type ClusterCommand } from "./cluster-bus";

// Two buses over the real PostgreSQL, as two app instances hold them: a command reaches only the
// instance it names, that instance's answer is the asker's result, and silence is a bounded null.
const url = process.env.DATABASE_URL ?? "";
const log = pino({ level: "silent" });
const tag = Math.random().toString(36).slice(2, 8);
const buses: ClusterBus[] = [];

function bus(self: string, handle: (c: ClusterCommand) => Promise<boolean>): ClusterBus {
  const b = new ClusterBus({ databaseUrl: url, self, handle, log });
  buses.push(b);
  return b;
}

afterAll(async () => {
  await Promise.all(buses.map((b) => b.stop()));
});

describe("the cluster bus (LISTEN/NOTIFY)", () => {
  it("delivers a command to the named instance only and returns its answer", async () => {
    const seenByA: ClusterCommand[] = [];
    const seenByC: ClusterCommand[] = [];
    const a = bus(`s-a-${tag}`, async (c) => (seenByA.push(c), c.type === "cancel-execution" && c.executionId === 7));
    const b = bus(`s-b-${tag}`, async () => true);
    const c = bus(`s-c-${tag}`, async (cmd) => (seenByC.push(cmd), true));
    await Promise.all([a.start(), b.start(), c.start()]);

    expect(await b.ask(a.self, { type: "cancel-execution", executionId: 7 }, 5_000)).toEqual({ done: true });
    expect(await b.ask(a.self, { type: "cancel-execution", executionId: 8 }, 5_000)).toEqual({ done: false });
    expect(await b.ask(a.self, { type: "stop-process", processId: 3 }, 5_000)).toEqual({ done: false });
    expect(seenByA).toEqual([
      { type: "cancel-execution", executionId: 7 },
      { type: "cancel-execution", executionId: 8 },
      { type: "stop-process", processId: 3 },
    ]);
    expect(seenByC).toEqual([]);
  });

  it("answers null when nobody answers (a dead instance), and ignores malformed messages", async () => {
    const b = bus(`s-b2-${tag}`, async () => true);
    await b.start();
    expect(await b.ask(`s-nobody-${tag}`, { type: "cancel-execution", executionId: 1 }, 300)).toBeNull();

    const handled: ClusterCommand[] = [];
    const a = bus(`s-a2-${tag}`, async (c) => (handled.push(c), true));
    await a.start();
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    try {
      for (const payload of [
        "not json",
        JSON.stringify({ kind: "ask", to: a.self }),
        JSON.stringify({ kind: "ask", id: "x", from: "y", to: a.self, command: { type: "rm -rf" } }),
      ])
        await raw.query("SELECT pg_notify($1, $2)", [CLUSTER_CHANNEL, payload]);
    } finally {
      await raw.end();
    }
    // A well-formed command after them is still handled: the bad ones were dropped, not fatal.
    expect(await b.ask(a.self, { type: "stop-process", processId: 9 }, 5_000)).toEqual({ done: true });
    expect(handled).toEqual([{ type: "stop-process", processId: 9 }]);
  });

  it("listens again after its connection is cut", async () => {
    const a = bus(`s-a3-${tag}`, async () => true);
    const b = bus(`s-b3-${tag}`, async () => true);
    await Promise.all([a.start(), b.start()]);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // Ends every backend listening as A (its LISTEN connection), as a database restart would.
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND application_name = ''",
        [`LISTEN ${CLUSTER_CHANNEL}`],
      );
    } finally {
      await admin.end();
    }
    let answer = null;
    for (let i = 0; i < 40 && !answer; i++) {
      answer = await b.ask(a.self, { type: "cancel-execution", executionId: 1 }, 500);
      if (!answer) await new Promise((r) => setTimeout(r, 250)); // B may be reconnecting too (it answers null at once then)
    }
    expect(answer).toEqual({ done: true });
  });
});
