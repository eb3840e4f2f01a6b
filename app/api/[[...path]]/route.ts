import { unknownApiRoute } from "@/server/api/rest/unknown-api-route";

// Next matches this optional catch-all only when no other route under app/api/ does; optional
// ([[...path]]) so that /api itself answers the JSON 404 too.
export const dynamic = "force-dynamic";

export {
  unknownApiRoute as GET,
  unknownApiRoute as HEAD,
  unknownApiRoute as POST,
  unknownApiRoute as PUT,
  unknownApiRoute as PATCH,
  unknownApiRoute as DELETE,
  unknownApiRoute as OPTIONS,
};
