import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// scripts/slowfs mounted over a folder, for the slow-disk integration test and the chaos
// harness: built with `go build` on first use, mounted as root (mount(2), no fusermount), its
// speed set through its control file.

const slowfsSource = new URL("../slowfs", import.meta.url).pathname;

/** Why a slow disk cannot be made here (null: it can). */
export function slowDiskRefusal(): string | null {
  if (process.getuid?.() !== 0) return "needs root (mount)";
  if (!existsSync("/dev/fuse")) return "needs /dev/fuse";
  try {
    execFileSync("go", ["version"], { stdio: "ignore" });
  } catch {
    return "needs Go to build scripts/slowfs";
  }
  return null;
}

export class SlowDisk {
  private constructor(
    /** Where the slow view of the source is mounted. */
    readonly mountpoint: string,
    private readonly work: string,
    private readonly control: string,
    private readonly child: ChildProcess,
  ) {}

  /** Mounts a slow view of `source` (fsync fast until set()); the mount point is world-readable. */
  static async mount(source: string): Promise<SlowDisk> {
    const work = mkdtempSync(join(tmpdir(), "pantheon-slowfs-"));
    const binary = join(work, "slowfs");
    execFileSync("go", ["build", "-o", binary, "."], { cwd: slowfsSource, stdio: ["ignore", "ignore", "inherit"] });
    const mountpoint = join(work, "data");
    const control = join(work, "control");
    mkdirSync(mountpoint);
    // As root, PostgreSQL runs as "postgres" and must reach its folder through both.
    chmodSync(work, 0o755);
    chmodSync(source, 0o755);
    writeFileSync(control, "fsync=0\nwrite=0\n");
    const child = spawn(binary, ["-fsync-delay", "0", "-control", control, source, mountpoint], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once("data", (chunk: Buffer) => (chunk.toString().includes("ready") ? resolve() : reject(new Error(String(chunk)))));
      child.once("exit", (code) => reject(new Error(`slowfs exited (${code}) before mounting ${mountpoint}`)));
    });
    chmodSync(mountpoint, 0o755);
    return new SlowDisk(mountpoint, work, control, child);
  }

  /** "fsync=200ms", "fsync=1h" (stalled), "fsync=0"; slowfs reads its control file every 100 ms. */
  async set(setting: string): Promise<void> {
    writeFileSync(this.control, `${setting}\n`);
    await new Promise((r) => setTimeout(r, 300));
  }

  /** Releases every waiting call, unmounts, and removes the tool's folder (not the source). */
  async unmount(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once("exit", r));
      this.child.kill("SIGTERM");
      await exited;
    }
    // Never remove through a mount still there: that would delete the source's files.
    if (
      readFileSync("/proc/mounts", "utf8")
        .split("\n")
        .some((l) => l.split(" ")[1] === this.mountpoint)
    ) {
      execFileSync("umount", ["-l", this.mountpoint]);
    }
    rmSync(this.work, { recursive: true, force: true });
  }
}
