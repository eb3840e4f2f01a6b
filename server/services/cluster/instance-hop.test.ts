import { describe, expect, it } from "vitest";
import { hopKey, signHop, verifyHop } from "./instance-hop";

const key = hopKey("a replica secret of at least thirty-two characters");
const user = {
  id: 7,
  email: "u@example.com",
  role: "user" as const,
  via: "session" as const,
  scopes: [],
  apiKeyId: null,
  defaultAiPersonality: null,
  name: null,
};

describe("instance hops", () => {
  it("carries the caller to the path and method it was signed for, within its lifetime", () => {
    const hop = signHop(key, { from: "s-a", method: "GET", path: "/__pantheon/cluster/shell/3?cols=80", user }, 1_000_000);
    expect(verifyHop(key, hop, "GET", "/__pantheon/cluster/shell/3?cols=80", 1_000_000 + 29_000)?.user).toEqual(user);
  });

  it("refuses another path, method, key, an expired, tampered or malformed hop", () => {
    const path = "/__pantheon/cluster/executions/1/events?after=0";
    const hop = signHop(key, { from: "s-a", method: "GET", path, user: null }, 1_000_000);
    expect(verifyHop(key, hop, "GET", "/__pantheon/cluster/executions/2/events?after=0", 1_000_000)).toBeNull();
    expect(verifyHop(key, hop, "POST", path, 1_000_000)).toBeNull();
    expect(verifyHop(hopKey("another deployment's secret, thirty-two chars+"), hop, "GET", path, 1_000_000)).toBeNull();
    expect(verifyHop(key, hop, "GET", path, 1_000_000 + 31_000)).toBeNull();
    const [v, body, mac] = hop.split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, "base64url").toString()), user })).toString("base64url");
    expect(verifyHop(key, `${v}.${forged}.${mac}`, "GET", path, 1_000_000)).toBeNull();
    for (const bad of [undefined, "", "hop1", "hop1..", `${hop}.x`, "x".repeat(5000)]) expect(verifyHop(key, bad, "GET", path, 1_000_000)).toBeNull();
    expect(() => hopKey("short")).toThrow(/NEXTAUTH_SECRET/);
  });
});
