// The engine's end of the agent socket without Docker: the directory checks, one connection only,
// and nothing left behind.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { agentSocketHostDir, AgentSocketListener, prepareAgentSocketDir } from "./agent-socket";

const root = mkdtempSync(join(tmpdir(), "agent-socket-unit-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dial(path: string): Promise<Socket | string> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once("connect", () => resolve(s));
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
  });
}

describe("agent socket directories", () => {
  it("are short, per container and per instance", () => {
    const a = agentSocketHostDir("/tmp/base", "i-1", "pantheon-i-1-node-1");
    expect(a).toMatch(/^\/tmp\/base\/i-1\/[0-9a-f]{16}$/);
    expect(agentSocketHostDir("/tmp/base", "i-1", "pantheon-i-1-node-2")).not.toBe(a);
    expect(agentSocketHostDir("/tmp/base", "i-2", "pantheon-i-1-node-1")).not.toBe(a);
  });

  it("are made 0700 under a base that is the engine's own", () => {
    const base = join(root, "good");
    const dir = agentSocketHostDir(base, "i-1", "c");
    prepareAgentSocketDir(dir, base);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(base).mode & 0o777).toBe(0o700);
  });

  it("refuse a base others can write to, or a planted symlink", () => {
    const open = join(root, "open");
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    expect(() => prepareAgentSocketDir(agentSocketHostDir(open, "i", "c"), open)).toThrow(/0700/);
    const target = join(root, "target");
    mkdirSync(target, { mode: 0o700 });
    const link = join(root, "link");
    symlinkSync(target, link);
    expect(() => prepareAgentSocketDir(agentSocketHostDir(link, "i", "c"), link)).toThrow(/0700/);
  });
});

describe("AgentSocketListener", () => {
  it("hands over the first connection only, then removes the socket and its directory", async () => {
    const dir = join(root, "listen");
    mkdirSync(dir, { mode: 0o700 });
    const listener = await AgentSocketListener.open(dir);
    expect(statSync(join(dir, "engine.sock")).mode & 0o777).toBe(0o600);
    const first = await dial(join(dir, "engine.sock"));
    const accepted = await listener.connection(5_000);
    expect(accepted).not.toBeNull();
    // The listener stopped after the first: a second finds nothing to connect to.
    expect(await dial(join(dir, "engine.sock"))).toMatch(/ECONNREFUSED|ENOENT/);
    listener.close();
    expect(existsSync(dir)).toBe(false);
    accepted?.destroy();
    if (typeof first !== "string") first.destroy();
  });

  it("gives null when no agent connects in time", async () => {
    const dir = join(root, "quiet");
    mkdirSync(dir, { mode: 0o700 });
    const listener = await AgentSocketListener.open(dir);
    expect(await listener.connection(50)).toBeNull();
    listener.close();
    expect(existsSync(dir)).toBe(false);
  });
});
