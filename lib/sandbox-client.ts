import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/root";

export interface SandboxClientOptions {
  /** The app's origin, e.g. "http://localhost:3000". */
  url: string;
  /** An API key ("psk_…"), sent as `Authorization: Bearer <key>` on every call and stream. */
  apiKey: string;
}

/**
 * The typed tRPC client for Pantheon's chat service: queries and mutations batched over HTTP,
 * subscriptions (executions.output) over server-sent events that resume after the last event id.
 * Browsers' EventSource cannot send headers, so streams use the `eventsource` package's, which can.
 */
export function createSandboxClient({ url, apiKey }: SandboxClientOptions) {
  const endpoint = `${url.replace(/\/+$/, "")}/api/trpc`;
  const authorization = `Bearer ${apiKey}`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: endpoint,
          transformer: superjson,
          EventSource,
          eventSourceOptions: () => ({ fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization } }) }),
        }),
        false: httpBatchLink({ url: endpoint, transformer: superjson, headers: () => ({ authorization }) }),
      }),
    ],
  });
}

export type SandboxClient = ReturnType<typeof createSandboxClient>;
