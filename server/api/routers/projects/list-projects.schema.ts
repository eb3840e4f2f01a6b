import { z } from "zod";
import { projectDto } from "@/server/api/schemas/dto.schema";

export const listProjectsInput = z
  .object({
    /** "own-and-public" adds everyone's public projects; "all" is for admins (others get their own). */
    scope: z.enum(["own", "own-and-public", "all"]).default("own"),
    search: z.string().trim().max(200).optional(),
    sort: z.enum(["updatedAt", "createdAt", "name"]).default("updatedAt"),
    order: z.enum(["asc", "desc"]).default("desc"),
    limit: z.number().int().min(1).max(100).default(50),
    offset: z.number().int().min(0).max(100_000).default(0),
  })
  .default({ scope: "own", sort: "updatedAt", order: "desc", limit: 50, offset: 0 });
export const listProjectsOutput = z.object({ items: z.array(projectDto), total: z.number() });

/** The API's paging words (limit, offset; an empty search is none) in the service's terms: tRPC and MCP alike. */
export function listProjectsQuery(input: z.output<typeof listProjectsInput>) {
  return { scope: input.scope, search: input.search || undefined, sort: input.sort, order: input.order, take: input.limit, skip: input.offset };
}
