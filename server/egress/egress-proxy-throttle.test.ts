// A sandbox looping on refused connections must cost the app bounded logs, policy lookups and DNS
// queries: refusals are logged one by one only up to a per-window quota, then summarized; past a
// budget the project gets 429 at once; the policy is looked up once per tunnel per TTL.
import { describe, expect, it } from "vitest";
import { connectRequest, proxyHarness } from "@/test/support/egress-proxy-harness";
import { TunnelPolicy } from "./tunnel-policy";

const limits = { windowSeconds: 10, loggedPerWindow: 3, budgetPerWindow: 5, blockSeconds: 10 };

describe("refusal throttle (per project)", () => {
  it("logs the first refusals, summarizes the rest in one line, then answers 429 without lookups or DNS", async () => {
    const h = proxyHarness({ p: "open", q: "open" }, { proxy: { throttle: limits } });
    const answers: string[] = [];
    // Names that would each need a DNS lookup (refused after it: they do not resolve).
    for (let i = 0; i < 12; i++) answers.push(await h.send("p", connectRequest(`n${i}.example:443`)));
    const statuses = answers.map((a) => a.split(" ")[1]);
    // 6 refusals are decided (the 6th spends the budget of 5), then the project is blocked.
    expect(statuses).toEqual([...Array<string>(6).fill("403"), ...Array<string>(6).fill("429")]);
    expect(answers[6]).toMatch(/\r\nRetry-After: (9|10)\r\n[^]*too many refused connections from this project/);
    expect(h.resolved).toHaveLength(6);
    expect(h.policyLookups).toEqual(["p"]); // one lookup for the whole tunnel
    const refusedLines = () => h.lines.filter((l) => l.msg === "egress refused");
    expect(refusedLines()).toHaveLength(3);
    expect(h.decisions).toHaveLength(12); // every decision still reaches the metrics hook
    // Another project is not affected.
    expect(await h.send("q", connectRequest("x.example:443"))).toMatch(/^HTTP\/1\.1 403 /);
    expect(refusedLines()).toHaveLength(4);

    h.proxy.stop(); // flushes the summary (otherwise at the end of the window)
    const summary = h.lines.filter((l) => l.msg === "egress refusals throttled");
    expect(summary).toEqual([
      expect.objectContaining({
        projectId: "p",
        suppressedRefusals: 3,
        throttledConnections: 6,
        reasons: expect.objectContaining({ "too many refused connections": 6 }) as unknown,
      }),
    ]);
  });

  it("throttles plain HTTP and malformed requests too; a blocked project's allowed destinations wait as well", async () => {
    const h = proxyHarness({ p: "registry" }, { dns: { "registry.npmjs.org": ["203.0.113.10"] }, proxy: { throttle: limits } });
    for (let i = 0; i < 3; i++) expect(await h.send("p", "GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\n\r\n")).toMatch(/^HTTP\/1\.1 403 /);
    for (let i = 0; i < 3; i++) expect(await h.send("p", "BREW /pot HTTP/1.1\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
    expect(await h.send("p", "GET http://registry.npmjs.org/ HTTP/1.1\r\nHost: registry.npmjs.org\r\nConnection: close\r\n\r\n")).toMatch(/^HTTP\/1\.1 429 /);
    expect(h.dials).toEqual([]);
  });
});

describe("TunnelPolicy", () => {
  it("one lookup per TTL, shared by concurrent callers; a failed lookup is not cached", async () => {
    let now = 1000;
    const calls: string[] = [];
    let fail = false;
    const policy = new TunnelPolicy(
      "7",
      async (id) => {
        calls.push(id);
        await new Promise((r) => setTimeout(r, 5));
        if (fail) throw new Error("db down");
        return "registry";
      },
      5000,
      () => now,
    );
    expect(await Promise.all([policy.get(), policy.get(), policy.get()])).toEqual(["registry", "registry", "registry"]);
    expect(calls).toHaveLength(1);
    now += 4999;
    await policy.get();
    expect(calls).toHaveLength(1);
    now += 2;
    fail = true;
    await expect(policy.get()).rejects.toThrow("db down");
    fail = false;
    expect(await policy.get()).toBe("registry");
    expect(calls).toHaveLength(3);
  });

  it("a policy lowered while the tunnel runs applies to its connections after the TTL", async () => {
    const policies: Record<string, "open" | "none"> = { t: "open" };
    const h = proxyHarness(policies, { dns: { "example.com": ["93.184.216.34"] }, proxy: { policyTtlMs: 50 } });
    expect(await h.send("t", "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")).toMatch(/^HTTP\/1\.1 200 /);
    policies.t = "none";
    await new Promise((r) => setTimeout(r, 60));
    expect(await h.send("t", "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")).toMatch(
      /^HTTP\/1\.1 403 [^]*policy is none/,
    );
  });
});
