import path from "node:path";

// `layers/config-source`: `getEnv` (lib/env.ts's parse of the process environment) is imported
// only where configuration enters: the entry points and composition root list in
// eslint.layers.mjs. Everything else gets the settings it needs passed in (issue 16 point 2).
// Type imports (`import type { Env }`) pass: a service names the slice of configuration it takes.

const toPosix = (p) => p.split(path.sep).join("/");
const ENV_MODULE = "lib/env";

function namesEnvModule(spec, file) {
  if (spec === "@/lib/env" || spec === "@/lib/env.ts") return true;
  if (!spec.startsWith("./") && !spec.startsWith("../")) return false;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.ts$/, "");
  return target === ENV_MODULE;
}

export const configSourceRule = {
  meta: {
    type: "problem",
    docs: { description: "getEnv() is read only at the entry points; services take their settings as parameters" },
    schema: [],
    messages: {
      refused:
        "getEnv is read only at the entry points and composition root (eslint.layers.mjs CONFIG_READERS); take the settings as a parameter (a Pick<Env, …> slice) from the caller instead (issue 16)",
    },
  },
  create(context) {
    const file = toPosix(path.relative(context.cwd, context.filename));
    const isGetEnv = (s) =>
      s.importKind !== "type" && s.exportKind !== "type" && ((s.imported ?? s.local)?.name === "getEnv" || s.type === "ImportNamespaceSpecifier");
    return {
      ImportDeclaration(node) {
        if (node.importKind === "type" || !namesEnvModule(node.source.value, file)) return;
        for (const s of node.specifiers) if (isGetEnv(s)) context.report({ node: s, messageId: "refused" });
      },
      ExportNamedDeclaration(node) {
        if (!node.source || node.exportKind === "type" || !namesEnvModule(node.source.value, file)) return;
        for (const s of node.specifiers) if (s.exportKind !== "type" && s.local.name === "getEnv") context.report({ node: s, messageId: "refused" });
      },
      ExportAllDeclaration(node) {
        if (node.exportKind !== "type" && namesEnvModule(node.source.value, file)) context.report({ node, messageId: "refused" });
      },
      ImportExpression(node) {
        if (node.source.type === "Literal" && typeof node.source.value === "string" && namesEnvModule(node.source.value, file))
          context.report({ node, messageId: "refused" });
      },
    };
  },
};
