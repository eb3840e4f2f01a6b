"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { EDITOR_KEYMAPS, type EditorKeymap, isEditorKeymap } from "@/lib/editor-keymaps";
import { useTRPC } from "@/lib/trpc/client";

const LABELS: Record<EditorKeymap, string> = { default: "Standard keys", vim: "Vim", emacs: "Emacs" };

/** The signed-in person's editor keybindings; stored with the account. */
export function useEditorKeymap(): EditorKeymap {
  const trpc = useTRPC();
  const settings = useQuery({ ...trpc.settings.get.queryOptions(), staleTime: Infinity });
  return settings.data?.editorKeymap ?? "default";
}

export function KeymapSetting() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keymap = useEditorKeymap();
  const update = useMutation(
    trpc.settings.update.mutationOptions({
      onSuccess: (saved) => queryClient.setQueryData(trpc.settings.get.queryKey(), saved),
      onError: (e) => toast.error(`Saving the keybinding setting failed: ${e.message}`),
    }),
  );
  return (
    <select
      aria-label="Editor keybindings"
      className="select-small"
      value={update.isPending ? (update.variables.editorKeymap ?? keymap) : keymap}
      onChange={(e) => isEditorKeymap(e.target.value) && update.mutate({ editorKeymap: e.target.value })}
    >
      {EDITOR_KEYMAPS.map((k) => (
        <option key={k} value={k}>
          {LABELS[k]}
        </option>
      ))}
    </select>
  );
}
