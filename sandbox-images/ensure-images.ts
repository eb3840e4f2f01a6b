// Start-up entry points: which runtime images are missing or stale, and building them.
import Docker from "dockerode";
import { buildWithDebootstrap } from "./build-debootstrap";
import { buildWithDockerfile, dockerHubReachable } from "./build-dockerfile";
import { IMAGE_NAMES, INPUTS_HASH_LABEL, defaultRegistry, imageInputsHash, imageTag, type ImageName } from "./image-inputs";
import type { Log } from "./run-command";

export const BUILD_IMAGES_COMMAND = "npm run images";

export type ImageState = "present" | "missing" | "stale";

export interface ImageStatus {
  name: ImageName;
  tag: string;
  state: ImageState;
  /** Hash of the inputs the current sources would build. */
  wantedHash: string;
  /** Hash label on the image that has the tag, if any. */
  foundHash: string | null;
  /** Id of the image that has the tag, if any. */
  foundId: string | null;
}

export interface MissingImages {
  /** Tags to build: absent, or built from inputs other than the current sources. */
  missing: ImageStatus[];
  all: ImageStatus[];
  /** What to run to build them (empty when nothing is missing). */
  command: string;
}

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { statusCode?: number }).statusCode === 404;
}

export async function imageStatus(docker: Docker, registry: string, name: ImageName): Promise<ImageStatus> {
  const tag = imageTag(registry, name);
  const wantedHash = imageInputsHash(name);
  try {
    const info = await docker.getImage(tag).inspect();
    const foundHash = info.Config?.Labels?.[INPUTS_HASH_LABEL] ?? null;
    return { name, tag, wantedHash, foundHash, foundId: info.Id, state: foundHash === wantedHash ? "present" : "stale" };
  } catch (err) {
    if (isNotFound(err)) return { name, tag, wantedHash, foundHash: null, foundId: null, state: "missing" };
    throw err;
  }
}

/**
 * Which runtime images are absent. A stale image (older inputs) still runs, so by default it is
 * not reported as missing; pass `includeStale` to treat it as one.
 */
export async function missingImages(docker: Docker, registry = defaultRegistry(), includeStale = false): Promise<MissingImages> {
  const all = await Promise.all(IMAGE_NAMES.map((n) => imageStatus(docker, registry, n)));
  const missing = all.filter((s) => s.state === "missing" || (includeStale && s.state === "stale"));
  const prefix = registry === "pantheon-sandbox" ? "" : `SANDBOX_CONTAINER_REGISTRY=${registry} `;
  return { missing, all, command: missing.length ? `${prefix}${BUILD_IMAGES_COMMAND}` : "" };
}

export type BuildPath = "dockerfile" | "debootstrap";

async function chooseBuildPath(log: Log): Promise<BuildPath> {
  const forced = process.env.SANDBOX_IMAGE_BUILD?.trim();
  if (forced === "dockerfile" || forced === "debootstrap") {
    log(`build path: ${forced} (SANDBOX_IMAGE_BUILD)`);
    return forced;
  }
  if (forced) throw new Error(`SANDBOX_IMAGE_BUILD must be "dockerfile" or "debootstrap", got "${forced}"`);
  const reachable = await dockerHubReachable();
  log(`build path: ${reachable ? "dockerfile (Docker Hub reachable)" : "debootstrap (Docker Hub unreachable)"}`);
  return reachable ? "dockerfile" : "debootstrap";
}

export interface EnsureImagesOptions {
  registry?: string;
  log?: Log;
  docker?: Docker;
  /** Rebuild even when an image with the current inputs hash exists. */
  force?: boolean;
  only?: ImageName[];
}

export interface EnsureImagesResult {
  built: { tag: string; seconds: number; path: BuildPath }[];
  skipped: string[];
}

/** Builds the runtime images whose tag is absent or whose inputs hash differs. */
export async function ensureImages(opts: EnsureImagesOptions = {}): Promise<EnsureImagesResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const docker = opts.docker ?? new Docker();
  const registry = opts.registry ?? defaultRegistry();
  const result: EnsureImagesResult = { built: [], skipped: [] };
  let path: BuildPath | null = null;
  for (const name of opts.only ?? IMAGE_NAMES) {
    const status = await imageStatus(docker, registry, name);
    if (status.state === "present" && !opts.force) {
      log(`${status.tag}: up to date (inputs ${status.wantedHash}), skipping`);
      result.skipped.push(status.tag);
      continue;
    }
    log(`${status.tag}: ${status.state === "stale" ? `stale (${status.foundHash} != ${status.wantedHash})` : status.state}, building`);
    path ??= await chooseBuildPath(log);
    const started = Date.now();
    if (path === "dockerfile") {
      try {
        await buildWithDockerfile(name, status.tag, status.wantedHash, log);
      } catch (err) {
        if (process.env.SANDBOX_IMAGE_BUILD === "dockerfile") throw err;
        log(`${status.tag}: Dockerfile build failed (${(err as Error).message.split("\n")[0]}); falling back to debootstrap`);
        path = "debootstrap";
        await buildWithDebootstrap(name, status.tag, status.wantedHash, log);
      }
    } else {
      await buildWithDebootstrap(name, status.tag, status.wantedHash, log);
    }
    const newId = (await docker.getImage(status.tag).inspect()).Id;
    if (status.foundId && status.foundId !== newId) {
      // The superseded image lost its tag; drop it unless a container still uses it (409: keep).
      await docker
        .getImage(status.foundId)
        .remove()
        .then(
          () => log(`${status.tag}: removed superseded image ${status.foundId?.slice(7, 19)}`),
          () => undefined,
        );
    }
    const seconds = (Date.now() - started) / 1000;
    log(`${status.tag}: built in ${seconds.toFixed(1)} s (${path})`);
    result.built.push({ tag: status.tag, seconds, path });
  }
  return result;
}
