import { unknownApiRoute } from "@/server/api/rest/unknown-api-route";

// Next matches this catch-all only when no other route under app/api/ does.
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
