// Once per runtime (vitest projects docker-runc, docker-runsc): what each image does to make a
// program's start cheap under gVisor (common/locale-archive.sh, common/static-bash.sh), as sandbox
// code sees it.
import Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { FrameDemuxer } from "../server/sandbox/docker-stream";
import { defaultRegistry, IMAGE_NAMES, imageTag } from "./image-inputs";

const docker = new Docker();
const runtime = process.env.SANDBOX_RUNTIME ?? "runc";

/** Runs `sh -c script` as uid 1000 in a throwaway container of the image; its stdout and exit code. */
async function runInImage(image: string, script: string): Promise<{ stdout: string; exitCode: number }> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: ["sh", "-c", script],
    User: "1000:1000",
    Labels: { "org.pantheon-sandbox.test": "image-startup" },
    HostConfig: { NetworkMode: "none", Runtime: runtime },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    // Without a TTY the log is multiplexed in Docker's frames.
    const frames = new FrameDemuxer().push(await container.logs({ stdout: true, stderr: false }));
    return { stdout: Buffer.concat(frames.map((f) => f.data)).toString("utf8"), exitCode: StatusCode };
  } finally {
    await container.remove({ force: true });
  }
}

describe.each(IMAGE_NAMES)(`the %s image's program start (${runtime})`, (name) => {
  // common/locale-archive.sh: setlocale maps one archive instead of opening a dozen files per
  // program start, which gVisor makes expensive.
  it("serves C.UTF-8 from glibc's locale archive, and programs count characters, not bytes", async () => {
    const r = await runInImage(
      imageTag(defaultRegistry(), name),
      `echo "LANG=$LANG"; localedef --list-archive; printf 'é€' | wc -m; bash -c 'x=é€; echo \${#x}'`,
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("LANG=C.UTF-8\nC.utf8\n2\n2\n");
  });

  // common/static-bash.sh: no dynamic loader, no shared library in a bash process's mappings.
  it("runs bash statically linked, as `bash`, with its usual features", async () => {
    const r = await runInImage(
      imageTag(defaultRegistry(), name),
      `readlink -f /bin/bash; bash -c 'grep -c "\\.so" /proc/$$/maps; echo "$0 \${BASH_VERSINFO[0]}"; declare -A m=([k]=v); echo "\${m[k]}"; P="\\u"; echo "\${P@P}"; nope' 2>&1`,
    );
    expect(r.stdout).toBe("/usr/bin/bash-static\n0\nbash 5\nv\nsandbox\nbash: line 1: nope: command not found\n");
  });
});
