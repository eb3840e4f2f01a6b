import { type EditorKeymap, isEditorKeymap } from "@/lib/editor-keymaps";
import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { userRepository } from "@/server/repositories/user-repository";

export interface UserSettings {
  editorKeymap: EditorKeymap;
}

// A person's IDE preferences, stored with the account so they follow them to any browser.

export async function getUserSettings(user: AuthUser): Promise<UserSettings> {
  const row = await userRepository.findSettings(user.id);
  if (!row) throw new AppError("NOT_FOUND", "Your account no longer exists; sign in again");
  return { editorKeymap: isEditorKeymap(row.editorKeymap) ? row.editorKeymap : "default" };
}

export async function updateUserSettings(user: AuthUser, changes: Partial<UserSettings>): Promise<UserSettings> {
  const row = await userRepository.updateSettings(user.id, changes);
  return { editorKeymap: isEditorKeymap(row.editorKeymap) ? row.editorKeymap : "default" };
}
