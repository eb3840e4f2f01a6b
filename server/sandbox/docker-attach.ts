import { PassThrough, Writable, type Duplex } from "node:stream";
import type Dockerode from "dockerode";
import type { Logger } from "pino";
import { statusCode, wrap } from "./docker-errors";
import { FrameDemuxer } from "./docker-stream";
import type { AttachedExec, AttachRequest } from "./driver";
import { SandboxError } from "./errors";
import { sandboxExec } from "./sandbox-exec";

/**
 * A long-lived exec with its stdin kept open: Docker's hijacked connection carries stdin one
 * way and the (demultiplexed, unless tty) output the other. Backpressure flows through: when a
 * consumer stops reading stdout, the socket is paused, so a chatty process cannot fill memory.
 */
export async function attachExec(docker: Dockerode, id: string, request: AttachRequest, log: Logger): Promise<AttachedExec> {
  const tty = request.tty === true;
  let exec: Dockerode.Exec;
  let socket: Duplex;
  try {
    exec = await docker.getContainer(id).exec({
      ...sandboxExec(request.cmd, request.user, request.workdir),
      WorkingDir: request.workdir,
      Env: request.env ? Object.entries(request.env).map(([k, v]) => `${k}=${v}`) : undefined,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: tty,
    });
    socket = await exec.start({ hijack: true, stdin: true, Tty: tty });
  } catch (err) {
    const code = statusCode(err);
    if (code === 404 || code === 409) throw new SandboxError("CONTAINER_LOST", `container ${id.slice(0, 12)} is not running`, { cause: err });
    throw wrap(err, "attach");
  }
  log.debug({ containerId: id, cmd: request.cmd[0], tty }, "attached exec started");
  // Docker 20.10 (API 1.41) has no ConsoleSize on exec create: size the tty right after start
  // (a shell picks the change up through SIGWINCH).
  if (tty && request.cols && request.rows) await exec.resize({ w: request.cols, h: request.rows }).catch(() => {});

  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const demux = tty ? null : new FrameDemuxer();
  // One drain listener per pause: a chunk demultiplexes into many frames, and each write past the
  // high-water mark would otherwise add its own (a listener pile-up Node warns about under a flood).
  let waitingForDrain = false;
  const pauseUntilDrained = (target: PassThrough) => {
    socket.pause();
    if (waitingForDrain) return;
    waitingForDrain = true;
    target.once("drain", () => {
      waitingForDrain = false;
      socket.resume();
    });
  };
  socket.on("data", (chunk: Buffer) => {
    if (!demux) {
      if (!stdout.write(chunk)) pauseUntilDrained(stdout);
      return;
    }
    for (const frame of demux.push(chunk)) {
      const target = frame.stream === "stderr" ? stderr : stdout;
      if (!target.write(frame.data)) pauseUntilDrained(target);
    }
  });

  const exited = new Promise<{ exitCode: number | null }>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      stdout.end();
      stderr.end();
      exec.inspect().then(
        (info) => resolve({ exitCode: typeof info.ExitCode === "number" && info.Running === false ? info.ExitCode : null }),
        () => resolve({ exitCode: null }),
      );
    };
    socket.on("end", finish);
    socket.on("close", finish);
    socket.on("error", (err) => {
      log.debug({ containerId: id, err }, "attached exec stream error");
      finish();
    });
  });

  // A Writable facade so callers cannot read from (or destroy the read side of) the socket.
  const stdin = new Writable({
    write(chunk: Buffer, _enc, callback) {
      if (socket.destroyed || socket.writableEnded) return callback();
      socket.write(chunk, (err) => callback(err ?? null));
    },
    final(callback) {
      if (!socket.destroyed && !socket.writableEnded) socket.end();
      callback();
    },
  });
  stdin.on("error", () => {});

  return {
    stdin,
    stdout,
    stderr,
    exited,
    async resize(cols: number, rows: number) {
      if (!tty) return;
      try {
        await exec.resize({ w: cols, h: rows });
      } catch (err) {
        log.debug({ containerId: id, err }, "exec resize failed");
      }
    },
    detach() {
      socket.destroy();
    },
  };
}
