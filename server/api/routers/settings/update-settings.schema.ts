import { z } from "zod";
import { EDITOR_KEYMAPS } from "@/lib/editor-keymaps";

export const updateSettingsInput = z.object({ editorKeymap: z.enum(EDITOR_KEYMAPS).optional() });
