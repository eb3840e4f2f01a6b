import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { attachExec } from "./docker-attach";

// The attached exec's socket is fed one chunk holding many frames, with nobody reading: the socket
// pauses, and waits for ONE drain (a listener per frame was a pile-up Node warned about under the
// flood of issue 11), then resumes once the reader catches up.
function frame(stream: 1 | 2, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

describe("attachExec backpressure", () => {
  it("pauses the socket on a full stdout with one drain listener, and resumes after the drain", async () => {
    const socket = new PassThrough();
    const docker = {
      getContainer: () => ({
        exec: async () => ({ start: async () => socket, inspect: async () => ({ ExitCode: 0, Running: false }) }),
      }),
    } as unknown as Dockerode;
    const exec = await attachExec(docker, "c".repeat(64), { cmd: ["agent"], user: "0" }, pino({ level: "silent" }));
    const frames = Array.from({ length: 20 }, (_, i) => frame(i % 5 === 4 ? 2 : 1, Buffer.alloc(8 * 1024, 97 + (i % 26))));
    socket.write(Buffer.concat(frames));
    await new Promise((r) => setImmediate(r));
    expect(socket.isPaused()).toBe(true);
    expect(exec.stdout.listenerCount("drain") + exec.stderr.listenerCount("drain")).toBe(1);
    let read = 0;
    exec.stdout.on("data", (chunk: Buffer) => (read += chunk.length));
    exec.stderr.resume();
    await new Promise((r) => setImmediate(r));
    expect(read).toBe(16 * 8 * 1024);
    expect(socket.isPaused()).toBe(false);
    expect(exec.stdout.listenerCount("drain")).toBe(0);
    exec.detach();
  });
});
