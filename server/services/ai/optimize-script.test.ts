import { describe, expect, it } from "vitest";
import { buildScript, parseScriptOutput, shellQuote } from "./optimize-script";

const nonce = "abc123";
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("the optimize script", () => {
  it("quotes the command and candidate paths for sh, and writes the candidate under /tmp, never the workspace", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const script = buildScript({
      mode: "compare",
      command: "node 'a b.js'",
      runs: 2,
      nonce,
      candidate: { writes: [{ path: "src/x.js", content: "1", encoding: "utf8" }], deletes: ["old.js"] },
    });
    expect(script).toContain(`CMD='node '\\''a b.js'\\'''`);
    expect(script).toContain(`"$D/cand/"'src/x.js'`);
    expect(script).toContain(`rm -rf -- "$D/cand/"'old.js'`);
    expect(script).toContain("D=/tmp/.pantheon-profile-abc123");
    // Compare times both sides without the profiler; profile mode turns it on.
    expect(script).toContain(`run $i candidate "$D/cand" no`);
    expect(script).not.toMatch(/run \$i \w+ "[^"]+" yes/);
    expect(buildScript({ mode: "profile", command: "x", runs: 1, nonce })).toMatch(/run \$i baseline "\$W" yes/);
  });

  it("reads runs, payloads and the end marker; lines without the nonce are ignored", () => {
    const out = [
      "program noise",
      "@@pantheon-profile-abc123 run 1 baseline 0 1500000",
      "@@pantheon-profile-abc123 cpuprofile 1",
      b64('{"nodes":[]}'),
      "@@pantheon-profile-WRONG run 2 baseline 0 1",
      "@@pantheon-profile-abc123 run 2 candidate 1 2000000",
      "@@pantheon-profile-abc123 tail 2 candidate",
      b64("Error: boom"),
      "@@pantheon-profile-abc123 run x baseline 0 1",
      "@@pantheon-profile-abc123 end",
    ].join("\n");
    expect(parseScriptOutput(out, nonce)).toEqual({
      runs: [
        { index: 1, side: "baseline", exitCode: 0, wallMs: 1.5 },
        { index: 2, side: "candidate", exitCode: 1, wallMs: 2 },
      ],
      cpuprofiles: ['{"nodes":[]}'],
      pstats: [],
      sourceMaps: [],
      failedTail: "Error: boom",
      noSpace: false,
      finished: true,
    });
    expect(parseScriptOutput("@@pantheon-profile-abc123 run 1 baseline 0 5", nonce).finished).toBe(false);
  });
});
