import sandboxNodeImage from "@/sandbox-images/node/package.json";
import { editorTypings } from "@/server/services/editor/editor-typings";
import type { CheckerBase } from "./vue-checker";

/** Packages whose typings are served (editor-typings.ts sets node and vue); the others of the image are `any`. */
const TYPED = new Set(["vue"]);

/** What every project's Vue checker starts from: Node's and Vue's typings as the editor loads them. */
export async function vueCheckerBase(root?: string): Promise<CheckerBase> {
  const typings = { ...(await editorTypings("node", root)), ...(await editorTypings("vue", root)) };
  const untypedPackages = Object.keys(sandboxNodeImage.dependencies).filter((name) => !name.startsWith("@types/") && !TYPED.has(name));
  return { typings, untypedPackages };
}
