import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { AppError } from "@/server/errors/app-error";
import { getLogger } from "@/server/logging/logger";
import type { VueCheckAnswer, VueCheckRequest } from "./vue-check-protocol";
import type { VueDiagnostic } from "./vue-checker";
import { getAppRuntime } from "@/server/process/app-runtime";

// The server's side of the Vue-check worker thread: one thread for the process, started on the
// first check, answers matched to requests by id. A check that outlives its deadline ends the
// thread (TypeScript's checker cannot be interrupted otherwise) and the next check starts a new one.

export interface VueCheckLimits {
  /** How long one check may take, queueing included; the first one parses the DOM and Vue typings. */
  timeoutMs: number;
  /** Checks waiting at once; beyond that the caller is told to retry (the editor asks again on its next pause). */
  maxPending: number;
}

export const VUE_CHECK_LIMITS: VueCheckLimits = { timeoutMs: 60_000, maxPending: 8 };
/** The worker thread's heap: the DOM and Vue typings and a few projects' programs fit well within it. */
const VUE_CHECK_HEAP_MB = 1024;

// The worker's entry registers tsx and loads vue-check-worker.ts. Its path is resolved at run time
// and kept opaque to Next's bundler (it follows `new Worker(join(process.cwd(), "…"))`, ignores a
// turbopackIgnore comment there, and would bundle the worker with tsx and esbuild's binary into the
// route, which fails): the route only starts a thread from the file as it is on disk.
const WORKER_SEGMENTS: string[] = JSON.parse('["server", "services", "vue-diagnostics", "vue-check-worker.mjs"]') as string[];
const workerFile = () => join(process.cwd(), ...WORKER_SEGMENTS);

interface Pending {
  resolve: (diagnostics: VueDiagnostic[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class VueCheckThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly limits: VueCheckLimits = VUE_CHECK_LIMITS) {}

  check(projectId: number, files: Map<string, string>, path: string): Promise<VueDiagnostic[]> {
    if (this.pending.size >= this.limits.maxPending) {
      return Promise.reject(new AppError("TOO_MANY_REQUESTS", "The Vue type checker is busy; try again shortly", { retryAfterSeconds: 2 }));
    }
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<VueDiagnostic[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        getLogger().warn({ projectId, path, timeoutMs: this.limits.timeoutMs }, "vue check timed out; restarting its worker thread");
        this.stop(new AppError("TIMEOUT", `Type-checking ${path} took longer than ${this.limits.timeoutMs / 1000} s`));
      }, this.limits.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const request: VueCheckRequest = { id, projectId, files, path };
      worker.postMessage(request);
    });
  }

  /** Ends the thread; checks still waiting are refused with `reason`. */
  stop(reason: Error = new AppError("UNAVAILABLE", "The Vue type checker stopped")): void {
    const worker = this.worker;
    this.worker = undefined;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(reason);
      this.pending.delete(id);
    }
    void worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // Project code chooses what the checker computes: a type that explodes runs the thread out of
    // its own heap (an 'error' here, the thread ends), never the server's.
    const worker = new Worker(workerFile(), { resourceLimits: { maxOldGenerationSizeMb: VUE_CHECK_HEAP_MB } });
    // An idle checker never keeps the process alive (shutdown does not wait for it).
    worker.unref();
    worker.on("message", (answer: VueCheckAnswer) => {
      const p = this.pending.get(answer.id);
      if (!p) return;
      this.pending.delete(answer.id);
      clearTimeout(p.timer);
      if ("error" in answer) p.reject(new AppError("INTERNAL", `The Vue type checker failed: ${answer.error}`));
      else p.resolve(answer.diagnostics);
    });
    worker.on("error", (e) => {
      getLogger().error({ err: e }, "vue check worker failed");
      if (this.worker === worker) this.stop(new AppError("UNAVAILABLE", "The Vue type checker stopped; try again"));
    });
    worker.on("exit", () => {
      if (this.worker === worker) this.stop();
    });
    this.worker = worker;
    return worker;
  }
}

/** The process's one thread (in the process registry, server/process/app-runtime.ts). */
export function getVueCheckThread(): VueCheckThread {
  const runtime = getAppRuntime();
  runtime.vueCheckThread ??= new VueCheckThread();
  return runtime.vueCheckThread;
}
