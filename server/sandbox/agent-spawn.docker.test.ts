import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestEngine, type TestEngine } from "@/test/support/docker-test-engine";
import type { SandboxProcess } from "./engine";

// engine.spawn through the container's agent (ProcessService): a PTY that resizes, input bytes
// passed exactly, a kill that leaves no daemonised leftover, and an agent death that ends the
// process with a reason instead of leaving it hanging.

function collect(proc: SandboxProcess): { text: () => string } {
  let text = "";
  proc.stdout.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
  return { text: () => text };
}

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({ maxConcurrent: 6 });
}, 120_000);
afterAll(async () => {
  await t?.engine.stop();
});

function containerOf(projectId: string): string {
  const id = t.engine.fleet.activeSandboxes().find((s) => s.projectId === projectId)?.containerId;
  if (!id) throw new Error(`project ${projectId} has no container`);
  return id;
}

/** `cmd` in the container by a raw `docker exec` (not through the engine or its agent), its stdout. */
async function rawExec(containerId: string, cmd: string[], user = "1000:1000"): Promise<string> {
  const exec = await t.docker.getContainer(containerId).exec({ Cmd: cmd, User: user, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  // Docker's multiplexed frames: 8-byte headers before each payload.
  const all = Buffer.concat(chunks);
  const out: Buffer[] = [];
  for (let at = 0; at + 8 <= all.length;) {
    const size = all.readUInt32BE(at + 4);
    if (all[at] === 1) out.push(all.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(out).toString("utf8");
}

describe("engine.spawn through the agent", () => {
  it("gives a login shell a PTY whose size stty sees, before and after a resize", async () => {
    const proc = await t.engine.spawn("aspawn-pty", {
      image: "node",
      argv: ["/bin/sh", "-c", "exec bash -l"],
      tty: true,
      cols: 91,
      rows: 17,
      env: { TERM: "xterm-256color" },
    });
    const out = collect(proc);
    proc.stdin.write("stty size; tty\n");
    await eventually(() => out.text().includes("17 91") && out.text().includes("/dev/pts/"), 20_000);
    await proc.resize(132, 43);
    proc.stdin.write("stty size\n");
    await eventually(() => out.text().includes("43 132"), 20_000);
    proc.stdin.write("exit 4\n");
    await expect(proc.exited).resolves.toEqual({ exitCode: 4 });
  });

  it("reports a terminal process's exit while a background job still holds the terminal", async () => {
    const proc = await t.engine.spawn("aspawn-pty-exit", { image: "node", argv: ["bash", "-c", "sleep 1000 & echo started; exit 6"], tty: true });
    const out = collect(proc);
    await expect(proc.exited).resolves.toEqual({ exitCode: 6 });
    expect(out.text()).toContain("started");
    await t.engine.releaseProject("aspawn-pty-exit"); // the background job goes with the container
  });

  it("passes input bytes exactly, NUL and invalid UTF-8 included (pipe and raw terminal)", async () => {
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0xc3, 0x28, 0x80, 0x0a, 0xe2, 0x82]);
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const piped = await t.engine.spawn("aspawn-bytes", { image: "node", argv: ["od", "-An", "-v", "-tx1"] });
    const pipedOut = collect(piped);
    piped.stdin.end(bytes);
    await expect(piped.exited).resolves.toEqual({ exitCode: 0 });
    expect(pipedOut.text().replace(/\s+/g, " ").trim()).toBe(hex);

    // In raw mode the line discipline passes every byte (^@ included) through to the program.
    const raw = await t.engine.spawn("aspawn-bytes", {
      image: "node",
      argv: ["bash", "-c", `stty raw -echo; echo ready; head -c ${bytes.length} | od -An -v -tx1`],
      tty: true,
    });
    const rawOut = collect(raw);
    await eventually(() => rawOut.text().includes("ready"), 20_000);
    raw.stdin.write(bytes);
    await expect(raw.exited).resolves.toEqual({ exitCode: 0 });
    expect(
      rawOut
        .text()
        .slice(rawOut.text().indexOf("ready") + 5)
        .replace(/\s+/g, " ")
        .trim(),
    ).toBe(hex);
  });

  it("kills a background process with everything it daemonised (setsid, double fork, nohup)", async () => {
    const project = "aspawn-daemons";
    const proc = await t.engine.spawn(project, {
      image: "node",
      argv: [
        "bash",
        "-c",
        "(setsid sleep 3001 &); (sleep 3002 & disown); nohup setsid bash -c 'sleep 3003 & sleep 3004' >/dev/null 2>&1 & sleep 3005 & echo up; wait",
      ],
    });
    const out = collect(proc);
    await eventually(() => out.text().includes("up"), 20_000);
    const containerId = containerOf(project);
    const sleeps = async () => (await rawExec(containerId, ["ps", "-eo", "args="])).split("\n").filter((l) => /^sleep 300[1-5]$/.test(l.trim()));
    await eventually(async () => (await sleeps()).length === 5, 20_000);
    // Some of them left the process group and the session, and their parent died: only the
    // agent (child subreaper) still knows they came from this process.
    await proc.kill();
    await expect(proc.exited).resolves.toMatchObject({ exitCode: 137 });
    await eventually(async () => (await sleeps()).length === 0, 10_000);
    expect(t.engine.spawnedProcesses(project)).toBe(0);
  });

  it("a run's end kills its own leftovers and spares a shell and a dev server with their children", async () => {
    const project = "aspawn-spare";
    const shell = await t.engine.spawn(project, { image: "node", argv: ["bash", "--norc", "-i"], tty: true, holdsContainer: true });
    const shellOut = collect(shell);
    shell.stdin.write("sleep 4001 & echo shell-ready\n");
    const server = await t.engine.spawn(project, { image: "node", argv: ["bash", "-c", "sleep 4002 & echo server-ready; wait"] });
    const serverOut = collect(server);
    await eventually(() => shellOut.text().includes("shell-ready") && serverOut.text().includes("server-ready"), 20_000);
    const run = await t.engine.execute(project, { kind: "command", command: "setsid sleep 4003 & (sleep 4004 &); sleep 4005 & echo ran" });
    expect(run).toMatchObject({ status: "success", output: "ran\n" });
    const containerId = containerOf(project);
    const alive = async () =>
      (await rawExec(containerId, ["ps", "-eo", "args="]))
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => /^sleep 400\d$/.test(l))
        .sort();
    await eventually(async () => (await alive()).join() === "sleep 4001,sleep 4002", 10_000);
    expect(t.engine.spawnedProcesses(project)).toBe(2);
    await Promise.all([shell.kill(), server.kill()]);
    await eventually(async () => (await alive()).length === 0, 10_000);
  });

  it("ends a shell with a reason naming the agent when the agent is killed under it", async () => {
    const project = "aspawn-agent-dies";
    const proc = await t.engine.spawn(project, { image: "node", argv: ["bash", "--norc", "-i"], tty: true, holdsContainer: true });
    const out = collect(proc);
    proc.stdin.write("echo alive\n");
    await eventually(() => out.text().includes("alive"), 20_000);
    const containerId = containerOf(project);
    await rawExec(containerId, ["sh", "-c", "kill -9 $(pgrep -f 'pantheon-agent serve')"], "0:0");
    const exit = await proc.exited;
    expect(exit.exitCode).toBeNull();
    expect(exit.reason).toMatch(/agent/);
    // The pool gave the container up with its agent: nothing of the shell is left behind.
    await eventually(() => !t.engine.fleet.activeSandboxes().some((s) => s.containerId === containerId), 20_000);
    expect(t.engine.spawnedProcesses(project)).toBe(0);
  });

  it("refuses a command that does not exist, without leaving a kept root", async () => {
    await expect(t.engine.spawn("aspawn-missing", { image: "node", argv: ["no-such-command-here"] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(t.engine.spawnedProcesses("aspawn-missing")).toBe(0);
  });
});
