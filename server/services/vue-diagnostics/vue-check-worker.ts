import { parentPort } from "node:worker_threads";
import { vueCheckerBase } from "./checker-base";
import type { VueCheckAnswer, VueCheckRequest } from "./vue-check-protocol";
import { VueChecker } from "./vue-checker";

// The worker thread that type-checks Vue files (vue-check-thread.ts starts it): TypeScript's
// checker is synchronous and takes from a fraction of a second to several (the first check parses
// the DOM and Vue typings), so it runs here, never on the event loop that serves requests.

/** Projects whose last program is kept (each holds its parsed files and checker, tens of MB). */
const KEPT_PROJECTS = 4;

const port = parentPort;
if (!port) throw new Error("vue-check-worker.ts runs as a worker thread");
const base = vueCheckerBase();
const checkers = new Map<number, VueChecker>();

async function checkerFor(projectId: number): Promise<VueChecker> {
  let checker = checkers.get(projectId);
  if (checker) checkers.delete(projectId);
  else checker = new VueChecker(await base);
  // Map order is insertion order: re-inserting marks it most recently used.
  checkers.set(projectId, checker);
  for (const oldest of checkers.keys()) {
    if (checkers.size <= KEPT_PROJECTS) break;
    checkers.delete(oldest);
  }
  return checker;
}

port.on("message", (request: VueCheckRequest) => {
  void checkerFor(request.projectId)
    .then((checker): VueCheckAnswer => ({ id: request.id, diagnostics: checker.check(request.files, request.path) }))
    .catch((e: unknown): VueCheckAnswer => ({ id: request.id, error: e instanceof Error ? e.message : String(e) }))
    .then((answer) => port.postMessage(answer));
});
