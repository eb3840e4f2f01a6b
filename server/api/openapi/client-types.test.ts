import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLIENT_TYPES_FILE, clientTypesSource } from "./client-types";

describe("the client package's types", () => {
  it("are what the OpenAPI document generates today (run `npm run client:types` after changing a REST schema)", async () => {
    expect(readFileSync(CLIENT_TYPES_FILE, "utf8")).toBe(await clientTypesSource());
  }, 30_000);
});
