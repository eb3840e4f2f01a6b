import { describe, expect, it } from "vitest";
import { actingAs, actorFor } from "./actor";
import type { AuthUser } from "./auth-user";

const keyUser = (defaultAiPersonality: string | null): AuthUser => ({
  id: 7,
  email: "a@example.test",
  role: "user",
  via: "api_key",
  scopes: ["projects:read"],
  apiKeyId: 3,
  defaultAiPersonality,
});

describe("the actor", () => {
  it("is the key's default personality when the request names none, and none for a person", () => {
    expect(actorFor(keyUser("geppo")).ai).toBe("geppo");
    expect(actorFor(keyUser(null)).ai).toBeNull();
    // A stored default that is no longer a personality attributes to nobody rather than to a stale name.
    expect(actorFor(keyUser("hal9000")).ai).toBeNull();
  });

  it("takes the personality a request names over the key's default, and keeps the actor when it names none", () => {
    const actor = actorFor(keyUser("geppo"));
    expect(actingAs(actor, "c24")).toEqual({ user: actor.user, ai: "c24" });
    expect(actingAs(actor, null)).toBe(actor);
    expect(actingAs(actor, undefined)).toBe(actor);
    expect(actorFor(keyUser("geppo"), "c24").ai).toBe("c24");
  });
});
