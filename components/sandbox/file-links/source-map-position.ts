import { SourceMapConsumer } from "source-map-js";
import { toWorkspacePath, WORKSPACE_ROOT } from "./parse-file-links";

export type FilePosition = { path: string; line: number; column: number | null };

/** Maps above this are not parsed in the browser (the store caps files at 1 MiB anyway). */
const MAX_MAP_CHARS = 2 * 1024 * 1024;

const dirname = (path: string) => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "");

/** Where the source map of a generated file would be: `<file>.map`, the convention tsc, Vite and esbuild follow. */
export const sourceMapPathFor = (path: string) => `${path}.map`;

/**
 * The original position of a generated file's line and column, through its source map, when the
 * original is a file of the project; otherwise null (open the generated file itself). The map is
 * project content, as hostile as any output: a source outside the workspace, or a map that does
 * not parse, maps nowhere.
 */
export function originalPosition(
  mapText: string,
  mapPath: string,
  at: { line: number; column: number | null },
  exists: (path: string) => boolean,
): FilePosition | null {
  if (mapText.length > MAX_MAP_CHARS) return null;
  let consumer: SourceMapConsumer;
  try {
    consumer = new SourceMapConsumer(JSON.parse(mapText) as ConstructorParameters<typeof SourceMapConsumer>[0]);
  } catch {
    return null;
  }
  let original;
  try {
    // Stack traces count columns from 1, source maps from 0. Without a column, the line's first mapping.
    const column = at.column === null ? 0 : at.column - 1;
    original = consumer.originalPositionFor({ line: at.line, column, bias: SourceMapConsumer.GREATEST_LOWER_BOUND });
    if (original.source === null) original = consumer.originalPositionFor({ line: at.line, column, bias: SourceMapConsumer.LEAST_UPPER_BOUND });
  } catch {
    return null;
  }
  if (original.source === null || original.line === null) return null;
  // source-map-js resolves sources against sourceRoot already; a relative source is relative to the map's folder.
  let source = original.source;
  if (source.startsWith("webpack://") || /^[a-z][a-z0-9+.-]*:\/\/(?!\/)/i.test(source)) return null;
  if (!source.startsWith("/") && !source.startsWith("file://")) source = `${WORKSPACE_ROOT}/${dirname(mapPath) ? `${dirname(mapPath)}/` : ""}${source}`;
  const path = toWorkspacePath(source, exists);
  if (!path) return null;
  return { path, line: original.line, column: original.column === null ? null : original.column + 1 };
}
