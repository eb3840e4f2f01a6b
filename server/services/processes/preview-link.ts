import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { previewOrigin } from "@/server/preview/preview-settings";
import { currentPreviewSettings } from "@/server/process/preview-runtime";
import { liveProcesses } from "./live-processes";
import { previewHandoffToken } from "./preview-access";
import { requireProcess } from "./process-service";

/**
 * The URL that opens a running preview in this browser: `<preview origin>/__pantheon/auth?token=…`
 * sets the preview's own cookie and redirects to "/". Short-lived: the IDE asks again for each
 * frame load and "open in new tab".
 */
export async function previewLink(user: AuthUser, processId: number): Promise<{ url: string; expiresAt: Date }> {
  await requireProcess(user, processId);
  const slot = liveProcesses().get(processId)?.previewPort ?? null;
  if (slot === null) throw new AppError("CONFLICT", "The process has no open preview (it serves no port, or has ended)");
  const { token, expiresAt } = await previewHandoffToken(user, processId, slot);
  return { url: `${previewOrigin(currentPreviewSettings(), slot)}/__pantheon/auth?token=${encodeURIComponent(token)}`, expiresAt };
}
