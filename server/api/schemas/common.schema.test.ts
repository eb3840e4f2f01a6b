import { describe, expect, it } from "vitest";
import { descriptionSchema, projectNameSchema } from "./common.schema";
import { processCommandSchema } from "@/server/api/routers/processes/processes.schema";

// PostgreSQL text refuses U+0000 (22021); found by the REST fuzz test as a 500 on create.
describe("text that reaches PostgreSQL", () => {
  it("refuses NUL with a message, at the boundary", () => {
    for (const schema of [projectNameSchema, descriptionSchema, processCommandSchema]) {
      const result = schema.safeParse("a\u0000b");
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toContain("NUL");
    }
    expect(projectNameSchema.parse("a b")).toBe("a b");
  });
});
