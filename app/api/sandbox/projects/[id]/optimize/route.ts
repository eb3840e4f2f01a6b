import { otherMethods } from "@/server/api/rest/method-not-allowed";
import { optimizePerformancePost } from "@/server/api/rest/optimize-performance-route";

/** The seed's optimize_performance: the command under its runtime's profiler, or a candidate change set timed against it. */
export const POST = optimizePerformancePost;

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
