import { otherMethods } from "@/server/api/rest/method-not-allowed";
import { verifiedChangeSetPost } from "@/server/api/rest/verified-change-set-route";

/** The seed's add_feature: new code (and its tests) kept only if the verification passes, else rolled back byte-exact. */
export const POST = verifiedChangeSetPost("feature");

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
