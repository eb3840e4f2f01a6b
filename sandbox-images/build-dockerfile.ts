// Ordinary build path: the Dockerfiles under sandbox-images/<name>/, for hosts that reach Docker Hub.
import { join } from "node:path";
import { IMAGE_NAME_LABEL, IMAGES_DIR, INPUTS_HASH_LABEL, nodeRuntimeVersions, type ImageName } from "./image-inputs";
import { runCommand, type Log } from "./run-command";
import { buildAgent } from "./agent";

export async function buildWithDockerfile(name: ImageName, tag: string, hash: string, log: Log): Promise<void> {
  await buildAgent(log); // lands in sandbox-images/.build/, which the Dockerfiles COPY
  const versions = nodeRuntimeVersions();
  const args = ["build", "-f", join(IMAGES_DIR, name, "Dockerfile"), "-t", tag];
  args.push("--label", `${INPUTS_HASH_LABEL}=${hash}`, "--label", `${IMAGE_NAME_LABEL}=${name}`);
  if (name === "node") args.push("--build-arg", `NODE_VERSION=${versions.node}`, "--build-arg", `NPM_VERSION=${versions.npm}`);
  // Context is sandbox-images/ so both Dockerfiles can COPY common/ (finish-image.sh and its steps).
  await runCommand("docker", [...args, IMAGES_DIR], { log, label: "docker build| ", env: { ...process.env, DOCKER_BUILDKIT: "0" } });
}

/** True when Docker Hub answers quickly; any HTTP answer (401 included) means it is reachable. */
export async function dockerHubReachable(timeoutMs = 5000): Promise<boolean> {
  try {
    await fetch("https://registry-1.docker.io/v2/", { signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}
