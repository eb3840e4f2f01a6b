import { createHash } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SANDBOX_UID } from "../../../security/policy";

// The agent's second way to the engine (issue 11): a unix socket the engine listens on, in a
// per-container host directory bind-mounted READ-ONLY into the container at AGENT_SOCKET_MOUNT.
// The agent dials it right after its exec starts and serves the same h2c service there as on its
// stdio. Under runc that is one kernel's socket: no dockerd, containerd-shim or exec pipes in a
// round trip (the floor of every call over stdio). The engine listens and the agent dials, not the
// other way round, so the container gets no writable path on the host: connecting to a socket is
// not a write to the file system, so the read-only mount suffices. The directory is 0700 and the
// socket 0600, both the engine's uid: sandbox code (uid 1000) can neither traverse nor connect; the
// agent (uid 0 without CAP_DAC_OVERRIDE) connects with the directory owner's file-system ids. One
// connection is accepted, then the socket and the directory are removed: nothing can connect later.
// gVisor's gofer refuses host sockets (EPERM) unless runsc runs with --host-uds=open, so under runsc
// the directory is not mounted and the stdio stream is the only path (security/THREAT_MODEL.md,
// "a host socket mounted into gVisor").

/** Where the container sees its directory (read-only). */
export const AGENT_SOCKET_MOUNT = "/run/pantheon-agent";
const SOCKET_NAME = "engine.sock";
/** The agent's path to the engine's socket. */
export const AGENT_SOCKET_IN_CONTAINER = `${AGENT_SOCKET_MOUNT}/${SOCKET_NAME}`;

/** The default base on this host: the engine's own, beside other users' in the temp directory. */
export function defaultAgentSocketBase(): string {
  return join(tmpdir(), `pantheon-agent-sockets-${process.getuid?.() ?? "x"}`);
}

/**
 * Whether this process may offer agents a socket at all: a sandbox process must never share the
 * engine's uid (it would own the directory), and without getuid (not POSIX) there is no socket.
 */
export function agentSocketPossible(): boolean {
  const uid = process.getuid?.();
  return uid !== undefined && uid !== SANDBOX_UID;
}

/** The host directory of one container: short (sun_path holds 108 bytes) and derived from its name. */
export function agentSocketHostDir(base: string, instanceId: string, containerName: string): string {
  const id = createHash("sha256").update(containerName).digest("hex").slice(0, 16);
  return join(base, instanceId, id);
}

/**
 * Makes a container's directory before the container is created (a bind source must exist, and
 * one Docker creates itself is 0755 root). Its parents are the engine's own and closed to others:
 * a base someone else owns or can write to (a planted symlink in /tmp) is refused, and the caller
 * then creates the container without the mount. Synchronous: the spec builder is.
 */
export function prepareAgentSocketDir(dir: string, base: string): void {
  const uid = process.getuid?.();
  for (const parent of [base, join(dir, "..")]) {
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    const st = lstatSync(parent);
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
      throw new Error(`agent socket directory ${parent} is not the engine's own 0700 directory`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { mode: 0o700 });
}

/** Removes a container's directory (once its agent connected, or its container is gone); never throws. */
export function removeAgentSocketDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Removes an instance's whole directory (at the engine's stop); never throws. */
export function removeAgentSocketInstance(base: string, instanceId: string): void {
  rmSync(join(base, instanceId), { recursive: true, force: true });
}

/** The engine's end: listens in a container's directory and hands over the first connection. */
export class AgentSocketListener {
  private accepted: Socket | null = null;
  private waiter: ((socket: Socket | null) => void) | null = null;
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly dir: string,
  ) {
    server.on("connection", (socket) => {
      // One agent, one connection: a second (which only uid 0 in the container could open) is dropped.
      if (this.accepted || this.closed) return void socket.destroy();
      this.accepted = socket;
      this.server.close();
      this.waiter?.(socket);
      this.waiter = null;
    });
    server.on("error", () => this.close());
  }

  static async open(dir: string): Promise<AgentSocketListener> {
    const path = join(dir, SOCKET_NAME);
    rmSync(path, { force: true });
    const server = createServer({ allowHalfOpen: false, pauseOnConnect: false });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => {
        server.off("error", reject);
        resolve();
      });
    });
    // The directory already keeps others out; the socket's own mode says the same.
    chmodSync(path, 0o600);
    return new AgentSocketListener(server, dir);
  }

  /** The agent's connection, or null when none came within waitMs (the agent could not dial). */
  connection(waitMs: number): Promise<Socket | null> {
    if (this.accepted || this.closed) return Promise.resolve(this.accepted);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, waitMs);
      timer.unref();
      this.waiter = (socket) => {
        clearTimeout(timer);
        resolve(socket);
      };
    });
  }

  /** Stops listening and removes the socket and its directory (the accepted connection lives on). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.close();
    this.waiter?.(null);
    this.waiter = null;
    removeAgentSocketDir(this.dir);
  }
}
