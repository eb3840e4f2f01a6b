import { expect, it } from "vitest";
import { appRouter } from "@/server/api/root";

// Issue 16 point 5: an attack spec is complete because the router says so, not because someone
// remembered each procedure. The procedures come from appRouter itself (tRPC's flat
// `_def.procedures`, keyed "router.procedure").

/** The procedures of one top-level router of appRouter, by name. */
export function procedureNames(router: string): string[] {
  return Object.keys(appRouter._def.procedures)
    .filter((path) => path.startsWith(`${router}.`))
    .map((path) => path.slice(router.length + 1))
    .sort();
}

/** The top-level routers of appRouter. */
export function routerNames(): string[] {
  return [...new Set(Object.keys(appRouter._def.procedures).map((path) => path.split(".")[0] ?? ""))].sort();
}

/** A row names its procedure, or a variant of it: `optimizePerformanceCompare` attacks `optimizePerformance` in another mode. */
const rowIsFor = (row: string, procedure: string) => row === procedure || (row.startsWith(procedure) && /^[A-Z]/.test(row.slice(procedure.length)));

/** A test that fails when appRouter.<router> has a procedure without a row, or a row names none. */
export function itCoversEveryProcedure(router: string, rows: readonly string[]): void {
  it(`${router}: every procedure of appRouter.${router} has a row, and every row a procedure`, () => {
    const procedures = procedureNames(router);
    expect(procedures.length, `appRouter.${router} has procedures`).toBeGreaterThan(0);
    expect({
      withoutRow: procedures.filter((p) => !rows.some((r) => rowIsFor(r, p))),
      notAProcedure: rows.filter((r) => !procedures.some((p) => rowIsFor(r, p))),
    }).toEqual({
      withoutRow: [],
      notAProcedure: [],
    });
  });
}
