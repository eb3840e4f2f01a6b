// Loads the profiles in security/ for the container spec. Node built-ins only: used by scripts and the server.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SECCOMP_PROFILE_PATH = fileURLToPath(new URL("./seccomp.json", import.meta.url));
export const APPARMOR_PROFILE_NAME = "pantheon-sandbox";

/** The seccomp profile as compact JSON text, the form `SecurityOpt seccomp=<json>` takes. */
export function loadSeccompProfileText(path = SECCOMP_PROFILE_PATH): string {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as { defaultAction?: unknown; syscalls?: unknown };
  if (parsed.defaultAction !== "SCMP_ACT_ERRNO" || !Array.isArray(parsed.syscalls)) {
    throw new Error(`${path} is not an allowlist seccomp profile (defaultAction must be SCMP_ACT_ERRNO)`);
  }
  return JSON.stringify(parsed);
}

/**
 * The AppArmor profile name to pass to Docker, or null where the host has no AppArmor (then Docker
 * would refuse the option). The profile must have been loaded: `apparmor_parser -r -W security/apparmor/pantheon-sandbox`.
 */
export function appArmorProfileIfLoaded(name = APPARMOR_PROFILE_NAME): string | null {
  const profiles = "/sys/kernel/security/apparmor/profiles";
  if (!existsSync(profiles)) return null;
  try {
    return readFileSync(profiles, "utf8")
      .split("\n")
      .some((line) => line.startsWith(`${name} `))
      ? name
      : null;
  } catch {
    return null;
  }
}
