import { otherMethods } from "@/server/api/rest/method-not-allowed";
import { verifiedChangeSetPost } from "@/server/api/rest/verified-change-set-route";

/** The seed's refactor_code: a change set kept only if the verification passes, else rolled back byte-exact. */
export const POST = verifiedChangeSetPost("refactor");

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
