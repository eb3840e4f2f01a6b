import type { Env } from "@/lib/env";
import { AppError } from "@/server/errors/app-error";

/** The seed's quotas: SANDBOX_MAX_FILE_SIZE per file, SANDBOX_MAX_PROJECT_SIZE per project (bytes), from the request's configuration. */
export type WorkspaceLimits = Pick<Env, "SANDBOX_MAX_FILE_SIZE" | "SANDBOX_MAX_PROJECT_SIZE">;

export function assertFileSize(path: string, size: number, limits: Pick<WorkspaceLimits, "SANDBOX_MAX_FILE_SIZE">): void {
  const maxFileSize = limits.SANDBOX_MAX_FILE_SIZE;
  if (size > maxFileSize)
    throw new AppError("PAYLOAD_TOO_LARGE", `${path} is ${size} bytes; files may be at most ${maxFileSize} bytes (SANDBOX_MAX_FILE_SIZE)`);
}

export function assertProjectSize(total: number, limits: Pick<WorkspaceLimits, "SANDBOX_MAX_PROJECT_SIZE">): void {
  const maxProjectSize = limits.SANDBOX_MAX_PROJECT_SIZE;
  if (total > maxProjectSize)
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `the project would hold ${total} bytes; projects may hold at most ${maxProjectSize} bytes (SANDBOX_MAX_PROJECT_SIZE)`,
    );
}
