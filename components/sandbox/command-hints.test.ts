import { describe, expect, it } from "vitest";
import { listTemplates } from "@/server/templates/templates";
import { commandHints } from "./command-hints";

describe("command hints fit the template", () => {
  it("a Python project suggests Python, never npm", () => {
    const python = listTemplates().find((t) => t.id === "python-script")!;
    const hints = commandHints(python.commands, python.image);
    expect(hints.command).toContain("python3 -m unittest");
    expect(hints.background).toBe("python3 -m http.server 8000");
    expect(JSON.stringify(hints)).not.toMatch(/npm|npx/);
  });

  it("an empty project suggests nothing that needs a package.json", () => {
    const hints = commandHints(null, null);
    expect(JSON.stringify(hints)).not.toMatch(/npm|npx/);
    // coreutils' ls fails under the gVisor release some hosts run (statx: EINVAL).
    expect(hints.command).not.toMatch(/\bls\b/);
  });

  it("node templates suggest their own scripts and dev server", () => {
    for (const t of listTemplates().filter((t) => t.image === "node")) {
      const hints = commandHints(t.commands, t.image);
      expect(hints.command).toContain(t.commands.test);
      expect(hints.background).toBe(t.commands.dev?.command);
    }
  });
});
