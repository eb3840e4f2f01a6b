import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors/app-error";
import { assertRunningBelow } from "./running-sandboxes";

describe("assertRunningBelow", () => {
  it("allows starting while below the maximum", () => {
    expect(() => assertRunningBelow(0, 5)).not.toThrow();
    expect(() => assertRunningBelow(4, 5)).not.toThrow();
  });

  it("refuses at or above the maximum with TOO_MANY_REQUESTS and a message saying what to do", () => {
    for (const count of [5, 9]) {
      let caught: unknown;
      try {
        assertRunningBelow(count, 5);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).code).toBe("TOO_MANY_REQUESTS");
      expect((caught as AppError).message).toBe(
        `at most 5 running sandboxes per user (SANDBOX_RATE_SANDBOXES_PER_USER; you hold ${count}, counting executions, processes, shells and previews); stop or release one, then retry`,
      );
    }
    expect(() => assertRunningBelow(1, 1)).toThrow("at most 1 running sandbox per user");
  });
});
