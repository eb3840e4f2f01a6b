import { publicProcedure } from "@/server/api/trpc";
import { listTemplates } from "@/server/templates/templates";
import { listTemplatesOutput } from "./list-templates.schema";

/** The project templates (file names, not contents): public, like a product page. */
export const listTemplatesProcedure = publicProcedure
  .output(listTemplatesOutput)
  .query(() => listTemplates().map((t) => ({ ...t, files: Object.keys(t.files) })));
