// Ports through the container's agent on the real engine (runc and runsc): forwarded connections
// (previews) and the egress listener. The agent is the only way in or out of a container with no
// network; these check that one connection's trouble (nothing listening, a slow reader, the
// agent's death) stays that connection's, and that policy "none" leaves nothing listening.
import type { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NothingListeningError } from "./agent-net";
import { startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";
import type { EgressConnector, EgressSession } from "./egress";
import type { SandboxProcess } from "./spawned-process";

const runtime = testRuntime();
const run = `${runtime}-${process.pid}`;
const BIG = 4 * 1024 * 1024; // four times an agent stream's flow-control window

/** A stand-in for the app's proxy: answers every connection with one line naming its project. */
const sessions: string[] = [];
const egress: EgressConnector = {
  caBundle: () => Promise.resolve(null),
  session: (projectId: string): Promise<EgressSession> => {
    sessions.push(projectId);
    return Promise.resolve({
      handle: (connection: Duplex) => {
        connection.on("error", () => {});
        connection.end(`proxied for ${projectId}\n`);
        connection.resume();
      },
      close: () => {},
    });
  },
};

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({ postureCheck: false, maxConcurrent: 8, defaultTimeoutMs: 60_000 }, undefined, { egress });
}, 120_000);
afterAll(async () => {
  await t?.engine.stop();
});

const exec = (projectId: string, command: string, network: "none" | "registry" = "none") =>
  t.engine.execute(projectId, { kind: "command", command, timeoutMs: 60_000 }, { network });

/** Starts a node server in the project; resolves once it printed its first line. */
async function serve(projectId: string, script: string): Promise<SandboxProcess> {
  const p = await t.engine.spawn(projectId, { image: "node", argv: ["node", "-e", script] });
  await new Promise<void>((resolve, reject) => {
    p.stdout.once("data", () => resolve());
    void p.exited.then(() => reject(new Error("the server exited")));
  });
  return p;
}

function collect(socket: Duplex): Promise<{ bytes: number; text: string; error: Error | null }> {
  return new Promise((resolve) => {
    let bytes = 0;
    let text = "";
    socket.on("data", (b: Buffer) => {
      bytes += b.length;
      if (text.length < 256) text += b.toString("latin1");
    });
    socket.on("end", () => resolve({ bytes, text, error: null }));
    socket.on("error", (error) => resolve({ bytes, text, error }));
  });
}

describe(`forwarded ports (${runtime})`, () => {
  const P = `fwd-${run}`;

  it("a port nobody listens on is a clear NothingListeningError; so is a project without a running sandbox", async () => {
    await exec(P, "true");
    const refused = await t.engine.connectPort(P, 4999).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NothingListeningError);
    expect((refused as Error).message).toBe("nothing listening on port 4999");
    const none = await t.engine.connectPort(`never-started-${run}`, 4999).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(NothingListeningError);
    expect((none as Error).message).toContain("the project's sandbox is not running");
    await expect(t.engine.connectPort(P, 70_000)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("carries bytes both ways, with half-close: the server sees our EOF and still answers", async () => {
    const server = await serve(
      P,
      `require("net").createServer({ allowHalfOpen: true }, (s) => { const got = []; s.on("data", (d) => got.push(d)); s.on("end", () => s.end("got " + Buffer.concat(got).length + " bytes, ends with " + Buffer.concat(got).subarray(-3))); }).listen(7001, "127.0.0.1", () => console.log("ready"))`,
    );
    try {
      const socket = await t.engine.connectPort(P, 7001);
      const answer = collect(socket);
      socket.write(Buffer.alloc(100_000, 120));
      socket.end("END");
      expect(await answer).toEqual({ bytes: 31, text: "got 100003 bytes, ends with END", error: null });
    } finally {
      await server.kill();
    }
  });

  it("eager: bytes written before the agent connected reach the server; nothing listening ends the socket with NothingListeningError", async () => {
    const server = await serve(
      P,
      `require("net").createServer({ allowHalfOpen: true }, (s) => { const got = []; s.on("data", (d) => got.push(d)); s.on("end", () => s.end("got " + Buffer.concat(got).toString())); }).listen(7004, "127.0.0.1", () => console.log("ready"))`,
    );
    try {
      // Written and half-closed in the same turn as the open: all of it is queued behind the port.
      const socket = await t.engine.connectPort(P, 7004, { eager: true });
      const answer = collect(socket);
      socket.write("early ");
      socket.end("bytes");
      expect(await answer).toEqual({ bytes: 15, text: "got early bytes", error: null });

      const refused = await t.engine.connectPort(P, 4998, { eager: true });
      refused.write("lost: nobody listens");
      const ended = await collect(refused);
      expect(ended.bytes).toBe(0);
      expect(ended.error).toBeInstanceOf(NothingListeningError);
      expect(ended.error?.message).toBe("nothing listening on port 4998");
      // A project without a sandbox still rejects at once: there is no agent to ask.
      await expect(t.engine.connectPort(`never-started-${run}`, 4998, { eager: true })).rejects.toBeInstanceOf(NothingListeningError);
    } finally {
      await server.kill();
    }
  });

  it("20 connections at once, one never read: the other 19 get all their bytes, and so does the slow one once read", async () => {
    const server = await serve(
      P,
      `require("net").createServer((s) => { s.on("error", () => {}); s.end(Buffer.alloc(${BIG}, 97)); }).listen(7002, "127.0.0.1", () => console.log("ready"))`,
    );
    try {
      const sockets = await Promise.all(Array.from({ length: 20 }, () => t.engine.connectPort(P, 7002)));
      const [slow, ...others] = sockets;
      slow!.pause(); // a browser that stopped reading: its stream's window fills, nobody else's
      const done = await Promise.all(others.map((s) => collect(s)));
      for (const r of done) expect(r).toMatchObject({ bytes: BIG, error: null });
      const late = collect(slow!);
      slow!.resume();
      expect(await late).toMatchObject({ bytes: BIG, error: null });
    } finally {
      await server.kill();
    }
  }, 120_000);

  it("the agent killed mid-connection ends the socket with CONTAINER_LOST, nothing else", async () => {
    const project = `fwd-dies-${run}`;
    await exec(project, "true");
    const server = await serve(
      project,
      `require("net").createServer((s) => { s.on("error", () => {}); const t = setInterval(() => s.write("tick\\n"), 20); s.on("close", () => clearInterval(t)); }).listen(7003, "127.0.0.1", () => console.log("ready"))`,
    );
    void server.exited.catch(() => {});
    const socket = await t.engine.connectPort(project, 7003);
    const result = collect(socket);
    await new Promise<void>((resolve) => socket.once("data", () => resolve()));
    const containerId = t.engine.fleet.activeSandboxes().find((s) => s.projectId === project)?.containerId;
    expect(containerId).toBeTruthy();
    await t.docker
      .getContainer(containerId!)
      // The pattern's backslash keeps this shell's own command line from matching it.
      .exec({
        Cmd: [
          "sh",
          "-c",
          "for p in /proc/[0-9]*; do case $(tr '\\0' ' ' < $p/cmdline 2>/dev/null) in *pantheon-agent\\ serve*) kill -9 ${p#/proc/};; esac; done",
        ],
        User: "0",
      })
      .then((e) => e.start({}));
    const r = await result;
    expect(r.bytes).toBeGreaterThan(0);
    expect(r.error).toMatchObject({ code: "CONTAINER_LOST" });
    // Other projects are untouched; this one's next connection is refused clearly (no sandbox).
    const other = await t.engine.connectPort(P, 4999).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(NothingListeningError);
  }, 60_000);
});

describe(`egress listener (${runtime})`, () => {
  const probe = `(exec 3<>/dev/tcp/127.0.0.1/3128 && cat <&3) 2>/dev/null || echo closed`;

  it("policy none: nothing listens on the proxy port, and the app is never asked to serve the project", async () => {
    const project = `egress-none-${run}`;
    const r = await exec(project, `${probe}; echo "[$HTTPS_PROXY]"`);
    expect(r.output).toBe("closed\n[]\n");
    expect(sessions).not.toContain(project);
  });

  it("a policy with network: the agent listens, every connection reaches the app; back to none closes the port", async () => {
    const project = `egress-reg-${run}`;
    const on = await exec(project, `${probe}; ${probe}; echo "[$HTTPS_PROXY]"`, "registry");
    expect(on.output).toBe(`proxied for ${project}\nproxied for ${project}\n[http://127.0.0.1:3128]\n`);
    // The listener is the agent's (another uid): the sandbox's code can neither stop it nor take the port.
    // ("[p]" keeps the pattern from matching this shell's own command line.)
    const kept = await exec(project, `pkill -9 -f "[p]antheon-agent" || echo not-permitted; sleep 0.2; ${probe}`, "registry");
    expect(kept.output).toBe(`not-permitted\nproxied for ${project}\n`);
    const off = await exec(project, `${probe}; echo "[$HTTPS_PROXY]"`, "none");
    expect(off.output).toBe("closed\n[]\n");
  });

  it("a port the sandbox took first makes the network fail clearly; it starts once the port is free", async () => {
    const project = `egress-squat-${run}`;
    await exec(project, "true");
    const squatter = await serve(project, `require("net").createServer().listen(3128, "127.0.0.1", () => console.log("squatting"))`);
    const refused = await exec(project, "echo ran", "registry");
    expect(refused).toMatchObject({ status: "error", errorCode: "INTERNAL", output: "" });
    expect(refused.errorOutput).toContain("the network tunnel could not start: cannot listen on port 3128 in the container (already in use?)");
    await squatter.kill();
    const again = await exec(project, probe, "registry");
    expect(again.output).toBe(`proxied for ${project}\n`);
  });
});
