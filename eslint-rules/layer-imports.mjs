import path from "node:path";
import { configSourceRule } from "./config-source.mjs";

// `layers/imports`: which folder may import which, by the file each import resolves to (the "@/"
// alias, or a relative path resolved against the importing file), as eslint-plugin-import's
// no-restricted-paths does. Path patterns (no-restricted-imports) cannot tell "../errors" in
// server/sandbox/agent (its own errors) from "../errors" in server/sandbox (another layer's).
//
// Each layer: { name, files: [prefix], ignores?: [prefix], allow?: [prefix], disallow?: [prefix],
// allowTypeImports?: boolean, why }. Prefixes are repository-relative ("server/api/"). `allow`
// lists the only folders the layer may import (packages are always allowed); `disallow` the
// folders it may not. With allowTypeImports, `import type` passes: it leaves nothing at run time.

const toPosix = (p) => p.split(path.sep).join("/");
const under = (file, prefixes) => prefixes.some((p) => file === p || file.startsWith(p));

/** The repository-relative file an import names, or null for a package. */
function resolveTarget(spec, file) {
  if (spec.startsWith("@/")) return path.posix.normalize(spec.slice(2));
  if (spec.startsWith("./") || spec.startsWith("../")) return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
  return null;
}

export const layerImportsRule = {
  meta: {
    type: "problem",
    docs: { description: "Enforces the import direction between the repository's layers" },
    schema: [{ type: "object", properties: { layers: { type: "array" } }, required: ["layers"], additionalProperties: false }],
    messages: { refused: "{{name}}: may not import {{target}} ({{why}})" },
  },
  create(context) {
    const file = toPosix(path.relative(context.cwd, context.filename));
    const layers = context.options[0].layers.filter((l) => under(file, l.files) && !under(file, l.ignores ?? []));
    if (layers.length === 0) return {};

    function check(node, source, typeOnly) {
      if (!source || typeof source.value !== "string") return;
      const target = resolveTarget(source.value, file);
      if (target === null) return;
      for (const layer of layers) {
        if (typeOnly && layer.allowTypeImports) continue;
        const refused = (layer.allow && !under(target, layer.allow)) || (layer.disallow && under(target, layer.disallow));
        if (refused) context.report({ node, messageId: "refused", data: { name: layer.name, target: source.value, why: layer.why } });
      }
    }
    const allTypes = (node) =>
      node.importKind === "type" ||
      node.exportKind === "type" ||
      (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === "type" || s.exportKind === "type"));

    return {
      ImportDeclaration: (node) => check(node, node.source, allTypes(node)),
      ExportNamedDeclaration: (node) => check(node, node.source, allTypes(node)),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === "type"),
      ImportExpression: (node) => check(node, node.source, false),
    };
  },
};

export const layersPlugin = { meta: { name: "layers" }, rules: { imports: layerImportsRule, "config-source": configSourceRule } };
