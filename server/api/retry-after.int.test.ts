import superjson from "superjson";
import { afterAll, describe, expect, it } from "vitest";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { POST } from "@/app/api/trpc/[trpc]/route";

// The creation window is global ("all"), so this file lowers it and counts on nothing but
// being refused within limit + 1 attempts; it restores the setting for the files after it.
const previous = process.env.SANDBOX_RATE_CREATE_PER_MINUTE;
process.env.SANDBOX_RATE_CREATE_PER_MINUTE = "3";
afterAll(() => {
  if (previous === undefined) delete process.env.SANDBOX_RATE_CREATE_PER_MINUTE;
  else process.env.SANDBOX_RATE_CREATE_PER_MINUTE = previous;
});

describe("rate-limit refusals over tRPC", () => {
  it("answer 429 TOO_MANY_REQUESTS with Retry-After and retryAfterSeconds in the error data", async () => {
    const key = await keyFor(await makeUser());
    let refused: Response | null = null;
    // Up to two windows' worth: a window that resets mid-loop still ends in a refusal.
    for (let i = 0; i < 8 && !refused; i++) {
      const res = await POST(
        new Request("http://localhost/api/trpc/projects.create", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify(superjson.serialize({ name: `p${i}` })),
        }),
      );
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused).not.toBeNull();
    const seconds = Number(refused?.headers.get("retry-after"));
    expect(seconds).toBeGreaterThan(0);
    const body = (await refused?.json()) as { error: { json: { message: string; data: { code: string; retryAfterSeconds: number } } } };
    expect(body.error.json.data).toMatchObject({ code: "TOO_MANY_REQUESTS", retryAfterSeconds: seconds });
    expect(body.error.json.message).toContain("created per minute");
  });
});
