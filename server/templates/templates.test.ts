import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors/app-error";
import { checkWorkspacePath } from "@/server/sandbox/workspace-path";
import { getTemplate, listTemplates, TEMPLATE_IDS, templateIdSchema } from "./templates";

describe("templates", () => {
  it("lists the seed's templates plus python-script, in a stable order", () => {
    expect(listTemplates().map((t) => t.id)).toEqual(["react-app", "node-api", "vue-app", "python-script"]);
  });

  it.each(TEMPLATE_IDS)("%s is complete: valid paths, README, entry point, small files", (id) => {
    const template = getTemplate(id);
    expect(template.id).toBe(id);
    const paths = Object.keys(template.files);
    for (const path of paths) expect(checkWorkspacePath(path)).toEqual({ ok: true, path });
    expect(paths).toContain("README.md");
    expect(paths).toContain(template.entryPoint);
    for (const content of Object.values(template.files)) expect(Buffer.byteLength(content)).toBeLessThan(8 * 1024);
    for (const command of [template.commands.install, template.commands.run, template.commands.test, template.commands.build]) {
      expect(command.trim()).not.toBe("");
    }
  });

  it("node templates ship vitest tests and never call npm install (no network in the sandbox)", () => {
    for (const template of listTemplates().filter((t) => t.image === "node")) {
      expect(Object.keys(template.files).some((p) => /\.test\.tsx?$/.test(p))).toBe(true);
      expect(Object.values(template.commands).join(" ")).not.toMatch(/npm (i|install|ci)\b/);
      // No dependencies to fetch: they come from the image.
      const pkg = JSON.parse(template.files["package.json"] ?? "{}") as Record<string, unknown>;
      expect(pkg.dependencies).toBeUndefined();
      expect(pkg.devDependencies).toBeUndefined();
    }
  });

  it("keeps the seed's files and commands", () => {
    expect(Object.keys(getTemplate("react-app").files)).toEqual(expect.arrayContaining(["package.json", "src/App.tsx", "src/index.tsx"]));
    expect(Object.keys(getTemplate("node-api").files)).toEqual(expect.arrayContaining(["package.json", "src/server.ts", "src/routes.ts"]));
    expect(Object.keys(getTemplate("vue-app").files)).toEqual(expect.arrayContaining(["package.json", "src/App.vue", "src/main.ts"]));
    expect(getTemplate("vue-app").commands.run).toBe("npm run serve");
  });

  it("accepts the seed's alias and refuses unknown ids with the valid list", () => {
    expect(getTemplate("react-typescript").id).toBe("react-app");
    expect(() => getTemplate("angular")).toThrow(AppError);
    expect(() => getTemplate("angular")).toThrow('unknown template "angular"; valid templates: react-app, node-api, vue-app, python-script');
    const parsed = templateIdSchema.safeParse("angular");
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain("valid templates: react-app, node-api, vue-app, python-script");
  });
});
