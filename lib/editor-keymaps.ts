/** Editor keybindings a user can choose in the IDE (a per-user setting stored with the account). */
export const EDITOR_KEYMAPS = ["default", "vim", "emacs"] as const;
export type EditorKeymap = (typeof EDITOR_KEYMAPS)[number];

export function isEditorKeymap(value: string): value is EditorKeymap {
  return (EDITOR_KEYMAPS as readonly string[]).includes(value);
}
