import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";
import { isSandboxError } from "./errors";

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine({ maxFileSize: 64 * 1024, postureCheck: false });
});

afterAll(async () => {
  await t?.engine.stop();
});

const run = (projectId: string, command: string) => t.engine.execute(projectId, { kind: "command", command });

describe(`workspace sync under ${testRuntime()}`, () => {
  it("round-trips text, binary, nested directories and deletions through the store", async () => {
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    t.store.put("rt", "readme.md", "# hello ✓\n");
    t.store.put("rt", "src/lib/deep/util.js", "module.exports = 42;\n");
    t.store.put("rt", "assets/logo.bin", binary);
    t.store.put("rt", "old.txt", "to be deleted\n");

    const check = await run(
      "rt",
      "cat readme.md; node -p 'require(\"./src/lib/deep/util.js\")'; od -An -tx1 assets/logo.bin | head -1; id -u; stat -c '%u' readme.md 2>/dev/null || echo 1000",
    );
    expect(check.status, check.errorOutput).toBe("success");
    expect(check.output).toContain("# hello ✓\n42\n 00 01 02 03");
    expect(check.output).toMatch(/^1000\n1000\n$/m);

    const r = await run(
      "rt",
      "mkdir -p out/a/b && printf 'nested\\n' > out/a/b/c.txt && head -c 1000 /dev/urandom > out/random.bin && rm old.txt && echo changed >> readme.md && mkdir -p node_modules/x && echo ignored > node_modules/x/i.js && mkdir __pycache__ && echo c > __pycache__/m.pyc",
    );
    expect(r.status, r.errorOutput).toBe("success");
    expect(r.files).toMatchObject({ upserted: ["out/a/b/c.txt", "out/random.bin", "readme.md"], deleted: ["old.txt"], refused: [], error: null });

    const files = t.store.files("rt");
    expect([...files.keys()].sort()).toEqual(["assets/logo.bin", "out/a/b/c.txt", "out/random.bin", "readme.md", "src/lib/deep/util.js"]);
    expect(files.get("out/a/b/c.txt")).toMatchObject({ content: "nested\n", encoding: "utf8", size: 7 });
    expect(files.get("readme.md")?.content).toBe("# hello ✓\nchanged\n");
    const random = files.get("out/random.bin")!;
    expect(random.size).toBe(1000);

    // A fresh container built from the store holds byte-identical files.
    const before = await run("rt", "sha256sum out/random.bin assets/logo.bin");
    await t.engine.releaseProject("rt");
    const after = await run("rt", "sha256sum out/random.bin assets/logo.bin; ls node_modules 2>&1 | head -1");
    expect(after.containerId).not.toBe(before.containerId);
    expect(after.output.startsWith(before.output)).toBe(true);
    expect(Buffer.from(random.content, random.encoding === "base64" ? "base64" : "utf8")).toHaveLength(1000);
    await t.engine.releaseProject("rt");
  });

  it("pulls back nothing when nothing changed", async () => {
    t.store.put("quiet", "a.txt", "a");
    await run("quiet", "true");
    const applied = t.store.applied.length;
    const r = await run("quiet", "cat a.txt >/dev/null");
    expect(r.files).toEqual({ upserted: [], deleted: [], refused: [], error: null });
    expect(t.store.applied.length).toBe(applied);
    await t.engine.releaseProject("quiet");
  });

  it("refuses oversized files explicitly and keeps the stored copy", async () => {
    t.store.put("big", "data.txt", "small\n");
    const r = await run("big", "head -c 70000 /dev/zero | tr '\\0' a > data.txt; echo ok > fine.txt");
    expect(r.files?.refused).toEqual([expect.objectContaining({ path: "data.txt", reason: "too-large" })]);
    expect(r.files?.upserted).toEqual(["fine.txt"]);
    expect(t.store.files("big").get("data.txt")?.content).toBe("small\n");
    await t.engine.releaseProject("big");
  });

  it("saves names that are not UTF-8 under their escaped paths and refuses names with newlines by name, after a run and in a live sync", async () => {
    t.store.put("names", "kept.txt", "kept\n");
    const r = await run(
      "names",
      "printf good > good.txt; printf x > $'\\xff\\xfe.txt'; printf y > $'new\\nline.txt'; mkdir $'d\\xe9' && printf z > $'d\\xe9/in.txt'; printf ok > $'caf\\xc3\\xa9.txt'",
    );
    expect(r.status, r.errorOutput).toBe("success");
    expect(r.files?.upserted.slice().sort()).toEqual(["\\xff\\xfe.txt", "café.txt", "d\\xe9/in.txt", "good.txt"]);
    expect(r.files?.refused.map((f) => [f.path, f.reason])).toEqual([["new\nline.txt", "invalid-path"]]);
    expect([...t.store.files("names").keys()].sort()).toEqual(["\\xff\\xfe.txt", "café.txt", "d\\xe9/in.txt", "good.txt", "kept.txt"]);

    // A long-lived process writes one more (the shell and dev-server path: list, not finish).
    const p = await t.engine.spawn("names", { image: "node", argv: ["bash", "-c", "printf q > $'\\xfa.txt'; printf w > also.txt; echo done; sleep 30"] });
    await new Promise<void>((resolve) => p.stdout.once("data", () => resolve()));
    // The agent's watch saves it (a sync waits for what is on its way; under load it may take two).
    const synced = { upserted: [] as string[], refused: [] as { path: string; reason: string }[] };
    await eventually(async () => {
      const got = await t.engine.syncWorkspace("names");
      synced.upserted.push(...(got?.upserted ?? []));
      synced.refused.push(...(got?.refused ?? []));
      return synced.upserted.includes("also.txt") && synced.upserted.includes("\\xfa.txt");
    }, 20_000);
    expect(t.store.files("names").get("\\xfa.txt")?.content).toBe("q");
    // Names the run refused through the agent may be named again (the listing has no stat of theirs
    // to compare with), never saved.
    expect(synced.refused.every((f) => f.reason === "invalid-path")).toBe(true);
    await p.kill();
    await t.engine.releaseProject("names");
  });

  it("mirrors edits saved outside executions into the live container without echoing them back", async () => {
    await run("edit", "echo one > one.txt");
    t.store.put("edit", "two.txt", "two\n");
    await t.engine.writeFiles("edit", [{ path: "two.txt", content: "two\n", encoding: "utf8", size: 4 }], ["one.txt"]);
    const r = await run("edit", "ls; cat two.txt");
    expect(r.output).toBe("two.txt\ntwo\n");
    expect(r.files).toEqual({ upserted: [], deleted: [], refused: [], error: null });
    await t.engine.releaseProject("edit");
  });

  it("refuses bad paths before touching Docker", async () => {
    for (const path of ["../escape.txt", "/etc/passwd", "a\\b", "nul\0.txt"]) {
      const err = await t.engine.writeFiles("edit", [{ path, content: "x", encoding: "utf8", size: 1 }]).catch((e: unknown) => e);
      expect(isSandboxError(err, "BAD_REQUEST"), path).toBe(true);
    }
    t.store.put("badstore", "../../etc/cron.d/x", "evil");
    const leased = t.engine.status().pool.leased;
    const err = await run("badstore", "true").catch((e: unknown) => e);
    expect(isSandboxError(err, "BAD_REQUEST")).toBe(true);
    expect(t.engine.status().pool.leased).toBe(leased);
  });
});
