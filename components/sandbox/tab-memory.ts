import { z } from "zod";

/**
 * The editor tabs a person had open in a project, kept in this browser's localStorage. They are
 * view state of one device, like a scroll position: read synchronously as the IDE opens (no round
 * trip before the first file shows), written on every tab change without a request, and no
 * schema for something that is fine to lose. The key names the user, so two accounts in one
 * browser never get each other's tabs; the paths are only opened if the project still has them.
 */
export type SavedTabs = { tabs: string[]; active: string | null };

const MAX_TABS = 50;
const savedTabs = z.object({ tabs: z.array(z.string().min(1).max(1024)).max(MAX_TABS), active: z.string().nullable() });

export const tabMemoryKey = (userId: number, projectId: number) => `pantheon:ide-tabs:v1:${userId}:${projectId}`;

/** The saved tabs, or null when there are none or what is stored is not ours (edited, older format). */
export function parseSavedTabs(raw: string | null): SavedTabs | null {
  if (raw === null) return null;
  try {
    const parsed = savedTabs.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function serializeTabs(tabs: readonly string[], active: string | null): string {
  return JSON.stringify({ tabs: tabs.slice(-MAX_TABS), active } satisfies SavedTabs);
}

type TreeFile = { filePath: string; isEntryPoint: boolean };

/**
 * What opening a project opens: the saved tabs that still exist (the saved active one in front),
 * or, when none survive, the project's entry point, else its README.md, else nothing.
 */
export function tabsToOpen(saved: SavedTabs | null, files: readonly TreeFile[]): SavedTabs {
  const existing = new Set(files.map((f) => f.filePath));
  const tabs = [...new Set(saved?.tabs ?? [])].filter((p) => existing.has(p));
  if (tabs.length) return { tabs, active: saved?.active && tabs.includes(saved.active) ? saved.active : (tabs[0] ?? null) };
  const entry = files.find((f) => f.isEntryPoint)?.filePath;
  const readme = files.find((f) => f.filePath === "README.md")?.filePath ?? files.find((f) => f.filePath.toLowerCase() === "readme.md")?.filePath;
  const first = entry ?? readme;
  return first ? { tabs: [first], active: first } : { tabs: [], active: null };
}
