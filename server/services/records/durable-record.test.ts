import { afterEach, describe, expect, it } from "vitest";
import { getDatabaseAvailability } from "@/server/db/database-availability";
import { recordDurably } from "./durable-record";

const unreachable = () => Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: "P1001" });

afterEach(() => void getDatabaseAvailability().markUp());

describe("recordDurably", () => {
  it("waits out a database outage and records once the database is back", async () => {
    const availability = getDatabaseAvailability();
    availability.markDown("chaos");
    let attempts = 0;
    const recorded = recordDurably("a result", async () => {
      attempts++;
      if (!availability.isUp()) throw unreachable();
      return "stored";
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(attempts).toBe(1); // no busy loop while the supervisor says the database is away
    availability.markUp();
    await expect(recorded).resolves.toBe("stored");
    expect(attempts).toBe(2);
  });

  it("throws any other error at once, and an outage outlasting its window", async () => {
    let attempts = 0;
    await expect(
      recordDurably("a result", () => {
        attempts++;
        return Promise.reject(new Error("value too long for type character varying(20)"));
      }),
    ).rejects.toThrow(/too long/);
    expect(attempts).toBe(1);
    getDatabaseAvailability().markDown("chaos");
    await expect(recordDurably("a result", () => Promise.reject(unreachable()), 200)).rejects.toThrow(/reach database/);
  });
});
