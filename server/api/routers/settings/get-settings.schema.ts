import { z } from "zod";
import { EDITOR_KEYMAPS } from "@/lib/editor-keymaps";

export const userSettingsOutput = z.object({ editorKeymap: z.enum(EDITOR_KEYMAPS) });
