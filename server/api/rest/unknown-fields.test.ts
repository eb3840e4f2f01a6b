import { describe, expect, it } from "vitest";
import { z } from "zod";
import { restObject, snakeCase, suggestField } from "./unknown-fields";

describe("unknown REST fields", () => {
  it("turns camelCase, PascalCase and kebab-case into snake_case", () => {
    expect(snakeCase("isEntryPoint")).toBe("is_entry_point");
    expect(snakeCase("AiPersonality")).toBe("ai_personality");
    expect(snakeCase("ai-personality")).toBe("ai_personality");
    expect(snakeCase("includeHTMLFiles")).toBe("include_html_files");
  });

  it("suggests the snake_case field, else a close one, else nothing", () => {
    const known = ["command", "timeout", "ai_personality"];
    expect(suggestField("aiPersonality", known)).toBe("ai_personality");
    expect(suggestField("comand", known)).toBe("command");
    expect(suggestField("timeoutMs", known)).toBeNull();
  });

  it("names each unknown field with its suggestion in the refusal", () => {
    const schema = restObject({ path: z.string(), is_entry_point: z.boolean().optional() });
    const result = schema.safeParse({ path: "a.js", isEntryPoint: true, zzz: 1 });
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      "unknown field `isEntryPoint`: did you mean `is_entry_point`?; unknown field `zzz` (fields are snake_case: path, is_entry_point)",
    ]);
  });
});
