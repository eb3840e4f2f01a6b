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
    expect(suggestField("timeot", known)).toBe("timeout");
    expect(suggestField("memory", known)).toBeNull();
  });

  it("suggests the field without the unit written into the name, and an is_ boolean", () => {
    const known = ["command", "timeout", "is_entry_point", "max_bytes"];
    for (const key of ["timeoutMs", "timeout_ms", "timeoutSeconds", "timeout_secs", "TimeoutMS"]) expect(suggestField(key, known), key).toBe("timeout");
    expect(suggestField("entryPoint", known)).toBe("is_entry_point");
    expect(suggestField("isExecutable", ["path", "executable"])).toBe("executable");
    expect(suggestField("maxBytes", known)).toBe("max_bytes");
  });

  it("converts the milliseconds sent to the seconds `timeout` takes", () => {
    const schema = restObject({ command: z.string(), timeout: z.number().optional() });
    const message = (body: object) => schema.safeParse(body).error?.issues.map((i) => i.message);
    expect(message({ command: "x", timeoutMs: 30000 })).toEqual([
      'unknown field `timeoutMs`: did you mean `timeout`? (in seconds: `"timeout": 30` for 30000 ms) (fields are snake_case: command, timeout)',
    ]);
    expect(message({ command: "x", timeout_seconds: 30 })).toEqual([
      "unknown field `timeout_seconds`: did you mean `timeout`? (in seconds) (fields are snake_case: command, timeout)",
    ]);
    expect(message({ command: "x", timeoutMs: "soon" })).toEqual([
      "unknown field `timeoutMs`: did you mean `timeout`? (in seconds) (fields are snake_case: command, timeout)",
    ]);
  });

  it("names each unknown field with its suggestion in the refusal", () => {
    const schema = restObject({ path: z.string(), is_entry_point: z.boolean().optional() });
    const result = schema.safeParse({ path: "a.js", isEntryPoint: true, zzz: 1 });
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      "unknown field `isEntryPoint`: did you mean `is_entry_point`?; unknown field `zzz` (fields are snake_case: path, is_entry_point)",
    ]);
  });
});
