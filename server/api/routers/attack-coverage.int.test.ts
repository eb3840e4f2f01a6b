import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { routerNames } from "@/test/support/attack-coverage";

// Issue 16 point 5, one level up: every top-level router of appRouter has an attack spec that
// checks its own coverage (attackRouter(…) or itCoversEveryProcedure(…) in a *.attack.int.test.ts),
// or is named below with the reason it has none. A new router fails here until it has one.
const WITHOUT_ATTACK_SPEC: Record<string, string> = {
  auth: "signUp is public; me and changePassword act on the caller's own account only (known gap: no matrix spec yet)",
  settings: "get and update act on the caller's own settings only (known gap: no matrix spec yet)",
  templates: "list is public: the built-in templates, no user data",
};

function attackSpecs(dir = "server/api"): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return attackSpecs(path);
    return e.name.endsWith(".attack.int.test.ts") ? [path] : [];
  });
}

describe("the attack matrix", () => {
  it("covers every router of appRouter with a spec that checks its own procedures", () => {
    const covered = new Set(
      attackSpecs().flatMap((file) => [...readFileSync(file, "utf8").matchAll(/(?:attackRouter|itCoversEveryProcedure)\("(\w+)"/g)].map((m) => m[1])),
    );
    const missing = routerNames().filter((r) => !covered.has(r) && !(r in WITHOUT_ATTACK_SPEC));
    expect(missing).toEqual([]);
    // An exemption for a router that has a spec now, or no longer exists, is stale.
    expect(Object.keys(WITHOUT_ATTACK_SPEC).filter((r) => covered.has(r) || !routerNames().includes(r))).toEqual([]);
  });
});
