import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createContext } from "@/server/api/context";
import { appRouter } from "@/server/api/root";
import { retryAfterHeader } from "@/server/api/retry-after";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createContext({ headers: req.headers }),
    // A rate-limit refusal says when to retry, as the REST routes do.
    responseMeta: ({ errors }) => ({ headers: retryAfterHeader(errors) }),
  });
}

export { handler as GET, handler as POST };

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET: handler, POST: handler });
