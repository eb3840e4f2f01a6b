// Keystroke-to-echo latency of the IDE's interactive shell, measured in Chromium (Debian's,
// never downloaded) against a running server, beside two baselines from the same run:
//   xterm      a key pressed in the Shell tab → its echo rendered in xterm's rows (what the user sees)
//   shell-ws   the same shell WebSocket without xterm: one byte sent from the page → its echo received
//   raw-ws     a bare WebSocket echo (no container, no PTY) from the page to this script: the floor
// The xterm samples start at the page's keydown (a capture listener), so the automation's own
// delivery of the key is not counted; echo time is when a MutationObserver sees the row change.
//
// Usage: start the server (npm start), then
//   BENCH_URL=http://localhost:3000 BENCH_KEYS=200 node scripts/bench-shell-echo.mjs
// It signs up a throw-away user and creates one empty project. CHROMIUM_PATH overrides /usr/bin/chromium.
import { WebSocketServer } from "ws";
import { benchBase as base, launchChromium, signUpThrowaway, stats as summarize } from "./bench-browser.mjs";

const keys = Number(process.env.BENCH_KEYS ?? 200);
const LINE = 40; // characters per line before Enter, so a line never wraps

const stats = (samples) => summarize(samples, 2);

const echo = new WebSocketServer({ port: 0, host: "127.0.0.1" });
await new Promise((resolve) => echo.once("listening", resolve));
echo.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
const echoPort = echo.address().port;

const browser = await launchChromium();
try {
  const page = await browser.newPage({ baseURL: base, viewport: { width: 1280, height: 800 } });
  // Where the xterm samples' time goes: when the page sent the key on the shell socket, and when
  // the socket delivered the echo (before xterm parses and renders it).
  await page.addInitScript(() => {
    const marks = (window.__socketMarks = { sentAt: 0, receivedAt: 0 });
    const NativeWebSocket = window.WebSocket;
    window.WebSocket = class extends NativeWebSocket {
      constructor(...args) {
        super(...args);
        if (String(args[0]).includes("/ws/shell/"))
          this.addEventListener("message", (e) => typeof e.data !== "string" && (marks.receivedAt = performance.now()));
      }
      send(data) {
        if (this.url.includes("/ws/shell/")) marks.sentAt = performance.now();
        return super.send(data);
      }
    };
  });
  await signUpThrowaway(page);
  const created = await page.request.post("/api/trpc/projects.create", { data: { json: { name: "shell echo bench" } } });
  const projectId = (await created.json()).result.data.json.id;

  await page.goto(`/projects/${projectId}`);
  await page.getByRole("tab", { name: "Shell" }).click();
  await page.getByTestId("shell-state").filter({ hasText: "connected" }).waitFor({ timeout: 120_000 });
  const shell = page.getByTestId("shell-output");
  await shell.locator(".xterm-rows").getByText("/workspace$").first().waitFor({ timeout: 60_000 });
  await shell.click();

  // In the page: the keydown time, and when the cursor row first ends with what was typed.
  await page.evaluate(() => {
    const rows = document.querySelector('[data-testid="shell-output"] .xterm-rows');
    const bench = (window.__bench = { keydownAt: 0, expected: null, echoAt: 0 });
    document.addEventListener("keydown", () => (bench.keydownAt = performance.now()), true);
    const check = () => {
      if (!bench.expected || bench.echoAt) return;
      const lines = [...rows.children].map((r) => (r.textContent ?? "").replace(/\u00a0/g, " ").trimEnd()).filter(Boolean);
      if (lines.at(-1)?.endsWith(bench.expected)) bench.echoAt = performance.now();
    };
    new MutationObserver(check).observe(rows, { childList: true, subtree: true, characterData: true });
  });

  const waitPrompt = async () => {
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="shell-output"] .xterm-rows > div')].map((r) => (r.textContent ?? "").trimEnd()).filter(Boolean);
      return rows.at(-1)?.endsWith("$");
    });
  };
  const xterm = [];
  const parts = {};
  let typed = "";
  await page.keyboard.type("# ");
  typed = "# ";
  for (let i = 0; i < keys; i++) {
    const c = String.fromCharCode(97 + (i % 26));
    typed += c;
    await page.evaluate((expected) => Object.assign(window.__bench, { expected, echoAt: 0 }), typed);
    await page.keyboard.press(c);
    await page.waitForFunction(() => window.__bench.echoAt > 0, null, { polling: "raf", timeout: 10_000 });
    const sample = await page.evaluate(() => {
      const { keydownAt, echoAt } = window.__bench;
      const { sentAt, receivedAt } = window.__socketMarks;
      return { total: echoAt - keydownAt, input: sentAt - keydownAt, network: receivedAt - sentAt, render: echoAt - receivedAt };
    });
    xterm.push(sample.total);
    for (const part of ["input", "network", "render"]) (parts[part] ??= []).push(sample[part]);
    if (typed.length >= LINE) {
      await page.evaluate(() => (window.__bench.expected = null));
      await page.keyboard.press("Enter");
      await waitPrompt();
      await page.keyboard.type("# ");
      typed = "# ";
    }
  }

  // The same shell path without xterm, and a bare WebSocket echo, both timed inside the page.
  const socketRuns = await page.evaluate(
    async ({ projectId, echoPort, keys }) => {
      const roundTrips = async (ws, count, isEcho) => {
        const samples = [];
        for (let i = 0; i < count; i++) {
          const c = String.fromCharCode(97 + (i % 26));
          const started = performance.now();
          await new Promise((resolve) => {
            const onMessage = (event) => {
              if (typeof event.data === "string" && !isEcho) return;
              const text = typeof event.data === "string" ? event.data : new TextDecoder().decode(event.data);
              if (!text.includes(c)) return;
              ws.removeEventListener("message", onMessage);
              resolve();
            };
            ws.addEventListener("message", onMessage);
            ws.send(new TextEncoder().encode(c));
          });
          samples.push(performance.now() - started);
          if (!isEcho && (i + 1) % 38 === 0) {
            ws.send(new TextEncoder().encode("\u0015")); // Ctrl+U: a fresh line, no wrapping
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        return samples;
      };
      const open = (url) =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.binaryType = "arraybuffer";
          ws.onopen = () => resolve(ws);
          ws.onerror = reject;
        });
      const shell = await open(`ws://${location.host}/ws/shell/${projectId}?cols=120&rows=30`);
      await new Promise((resolve) => {
        let seen = "";
        shell.addEventListener("message", (e) => {
          if (typeof e.data !== "string") seen += new TextDecoder().decode(e.data);
          if (/\$ $/.test(seen)) resolve();
        });
      });
      shell.send(new TextEncoder().encode("# "));
      await new Promise((r) => setTimeout(r, 200));
      const shellWs = await roundTrips(shell, keys, false);
      shell.close();
      const raw = await open(`ws://127.0.0.1:${echoPort}`);
      const rawWs = await roundTrips(raw, keys, true);
      raw.close();
      return { shellWs, rawWs };
    },
    { projectId, echoPort, keys },
  );

  const results = {
    xterm: stats(xterm),
    "  keydown→sent": stats(parts.input),
    "  sent→echo received": stats(parts.network),
    "  received→rendered": stats(parts.render),
    "shell-ws": stats(socketRuns.shellWs),
    "raw-ws": stats(socketRuns.rawWs),
  };
  console.log(`keystroke-to-echo, ${keys} keys each, ${base} (ms):`);
  console.table(results);
  console.log(JSON.stringify(results));
} finally {
  await browser.close();
  echo.close();
}
