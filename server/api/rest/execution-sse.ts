import type { AuthUser } from "@/server/auth/auth-user";
import { executionEvents } from "@/server/services/executions/execution-events";
import { requireExecution } from "@/server/services/executions/execution-queries";
import type { StartedExecution } from "@/server/services/executions/start-execution";
import { executionJson } from "./rest-dto";

const encoder = new TextEncoder();
const frame = (event: string, data: unknown, id?: number) =>
  encoder.encode(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

/**
 * An execution as server-sent events: `started` {id}, then `stdout` / `stderr` / `exit` events
 * (id = seq), then `result` with the recorded execution. The client going away stops the stream,
 * not the execution.
 */
export function executionEventStream(user: AuthUser, started: StartedExecution, requestSignal: AbortSignal): Response {
  const id = started.execution.id;
  // Stops the event loop when the request ends or the consumer cancels the body.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  requestSignal.addEventListener("abort", onAbort, { once: true });
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (chunk: Uint8Array) => {
        if (!stop.signal.aborted) controller.enqueue(chunk);
      };
      try {
        send(frame("started", { id }));
        for await (const event of executionEvents(user, id, null, stop.signal)) send(frame(event.type, event, event.seq));
        await started.done.catch(() => {});
        // The caller started it, so it may read it; a vanished row ends in the error event below.
        send(frame("result", executionJson(await requireExecution(user, id))));
      } catch {
        send(frame("error", { message: "the stream failed; read the execution from GET …/output" }));
      } finally {
        requestSignal.removeEventListener("abort", onAbort);
        if (!stop.signal.aborted) controller.close();
      }
    },
    cancel() {
      stop.abort();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" },
  });
}
