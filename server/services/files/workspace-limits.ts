import { getEnv } from "@/lib/env";
import { AppError } from "@/server/errors/app-error";

/** The seed's quotas: SANDBOX_MAX_FILE_SIZE per file, SANDBOX_MAX_PROJECT_SIZE per project (bytes). */
export function workspaceLimits(): { maxFileSize: number; maxProjectSize: number } {
  const env = getEnv();
  return { maxFileSize: env.SANDBOX_MAX_FILE_SIZE, maxProjectSize: env.SANDBOX_MAX_PROJECT_SIZE };
}

export function assertFileSize(path: string, size: number): void {
  const { maxFileSize } = workspaceLimits();
  if (size > maxFileSize)
    throw new AppError("PAYLOAD_TOO_LARGE", `${path} is ${size} bytes; files may be at most ${maxFileSize} bytes (SANDBOX_MAX_FILE_SIZE)`);
}

export function assertProjectSize(total: number): void {
  const { maxProjectSize } = workspaceLimits();
  if (total > maxProjectSize)
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `the project would hold ${total} bytes; projects may hold at most ${maxProjectSize} bytes (SANDBOX_MAX_PROJECT_SIZE)`,
    );
}
