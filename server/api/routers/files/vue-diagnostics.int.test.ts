import { describe, expect, it } from "vitest";
import { sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { getTemplate } from "@/server/templates/templates";

// files.vueDiagnostics end to end: a Vue project in the real database, the check in the real
// worker thread. The messages themselves are compared with vue-tsc's in vue-checker.test.ts.

const app = getTemplate("vue-app").files["src/App.vue"] ?? "";

describe("files.vueDiagnostics", () => {
  it("an untouched App.vue has none; an unsaved type error and one in another saved file are reported", async () => {
    const user = await makeUser();
    const caller = await sessionCaller(user.id);
    const { id: projectId } = await caller.projects.create({ name: "vue", template: "vue-app" });
    expect(await caller.files.vueDiagnostics({ projectId, path: "src/App.vue", content: app })).toEqual([]);

    const broken = app.replace("</script>", 'const n: number = "x";\n</script>');
    expect(await caller.files.vueDiagnostics({ projectId, path: "src/App.vue", content: broken })).toEqual([
      { line: 7, column: 7, endLine: 7, endColumn: 8, code: 2322, message: "Type 'string' is not assignable to type 'number'.", severity: "error" },
    ]);

    // The saved sources are read again when their version changes: App.vue now uses a name counter.ts no longer exports.
    const counter = (await caller.files.read({ projectId, path: "src/counter.ts" })).content ?? "";
    await caller.files.write({ projectId, path: "src/counter.ts", content: counter.replace("export function decrement", "function decrement") });
    const after = await caller.files.vueDiagnostics({ projectId, path: "src/App.vue", content: app });
    expect(after.map((d) => [d.line, d.code])).toEqual([[3, 2459]]);
  }, 240_000);

  it("refuses what is not a .vue file", async () => {
    const user = await makeUser();
    const caller = await sessionCaller(user.id);
    const { id: projectId } = await caller.projects.create({ name: "vue", template: "vue-app" });
    await expect(caller.files.vueDiagnostics({ projectId, path: "src/main.ts", content: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
