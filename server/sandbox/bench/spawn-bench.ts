// A spawn round trip through the engine (the agent's ProcessService: Start, SendInput, CloseInput,
// the exit event) beside the same through a raw `docker exec -i`, in the same run. Part of
// `npm run bench`; alone: `npm run bench:spawn` (SANDBOX_RUNTIME=runc|runsc, BENCH_ROUNDS=n).
import type Dockerode from "dockerode";
import type { SandboxEngine } from "../engine";

export interface BenchRow {
  what: string;
  engine: number[];
  baseline: number[];
  baselineWhat: string;
}

const LINE = "ping\n";

/** `cat` started, one line written and read back, stdin closed, the exit seen: through the engine. */
async function spawnEcho(engine: SandboxEngine, projectId: string): Promise<void> {
  const proc = await engine.spawn(projectId, { image: "node", argv: ["cat"] });
  let seen = "";
  const echoed = new Promise<void>((resolve) => {
    proc.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      if (seen === LINE) resolve();
    });
  });
  proc.stdin.write(LINE);
  await echoed;
  proc.stdin.end();
  const { exitCode } = await proc.exited;
  if (exitCode !== 0) throw new Error(`bench spawn exited with ${exitCode}`);
}

/** The same through a raw `docker exec -i` (hijacked stdin), exit code inspected. */
async function rawSpawnEcho(container: Dockerode.Container): Promise<void> {
  const exec = await container.exec({ Cmd: ["cat"], AttachStdin: true, AttachStdout: true, AttachStderr: true, User: "1000:1000", WorkingDir: "/workspace" });
  const socket = await exec.start({ hijack: true, stdin: true });
  let seen = Buffer.alloc(0);
  const echoed = new Promise<void>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      // One multiplexed frame: 8-byte header, then the line.
      if (seen.length >= 8 + LINE.length) resolve();
    });
    socket.on("error", reject);
  });
  const ended = new Promise<void>((resolve) => socket.on("end", resolve).on("close", resolve));
  socket.write(LINE);
  await echoed;
  socket.end();
  await ended;
  const info = await exec.inspect();
  if (info.ExitCode !== 0) throw new Error(`raw bench exec exited with ${info.ExitCode}`);
}

export async function benchSpawn(
  engine: SandboxEngine,
  container: Dockerode.Container,
  projectId: string,
  rounds: number,
  time: (n: number, fn: (i: number) => Promise<void>) => Promise<number[]>,
): Promise<BenchRow[]> {
  await spawnEcho(engine, projectId); // warm
  await rawSpawnEcho(container);
  const viaEngine = await time(rounds, () => spawnEcho(engine, projectId));
  const raw = await time(rounds, () => rawSpawnEcho(container));
  return [{ what: "spawn `cat`: start, echo a line, EOF, exit", engine: viaEngine, baseline: raw, baselineWhat: "raw docker exec -i cat, the same" }];
}
