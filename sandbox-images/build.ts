// `npm run images`: builds the sandbox runtime images that are missing or out of date.
// Flags: --force (rebuild), --only node|python. Env: SANDBOX_CONTAINER_REGISTRY,
// SANDBOX_IMAGE_BUILD=dockerfile|debootstrap, SANDBOX_DEBIAN_MIRROR, SANDBOX_IMAGE_CACHE.
import { ensureImages } from "./ensure-images";
import { IMAGE_NAMES, type ImageName } from "./image-inputs";

export { ensureImages, missingImages, BUILD_IMAGES_COMMAND } from "./ensure-images";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const onlyIndex = args.indexOf("--only");
  const onlyArg = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined;
  if (onlyArg !== undefined && !IMAGE_NAMES.includes(onlyArg as ImageName)) {
    throw new Error(`--only expects one of ${IMAGE_NAMES.join(", ")}`);
  }
  const started = Date.now();
  const t0 = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s]`;
  const result = await ensureImages({
    force: args.includes("--force"),
    only: onlyArg ? [onlyArg as ImageName] : undefined,
    log: (line) => console.log(`${t0()} ${line}`),
  });
  console.log(`${t0()} done: ${result.built.length} built, ${result.skipped.length} up to date`);
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], "file://").href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
