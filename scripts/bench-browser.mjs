// What the browser benchmarks share: Debian's Chromium (never downloaded), a throw-away user, and
// the summary of a series of samples.
import { randomUUID } from "node:crypto";
import { chromium } from "@playwright/test";

export const benchBase = (process.env.BENCH_URL ?? "http://localhost:3000").replace(/\/+$/, "");

/** Median, p95, min and max of a series, rounded to `digits` decimals. */
export function stats(samples, digits = 0) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const round = (n) => Math.round(n * 10 ** digits) / 10 ** digits;
  return { n: sorted.length, median: round(at(0.5)), p95: round(at(0.95)), min: round(sorted[0]), max: round(sorted.at(-1)) };
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

/** Signs a new throw-away user up through the sign-up page; the page ends on the dashboard. */
export async function signUpThrowaway(page) {
  const password = "bench password 42";
  await page.goto("/signup");
  await page.getByLabel("Email").fill(`bench-${randomUUID().slice(0, 8)}@example.com`);
  await page.getByLabel("Password (12 characters or more)").fill(password);
  await page.getByLabel("Repeat password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/projects$/);
}
