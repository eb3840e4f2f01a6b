import { router } from "@/server/api/trpc";
import { listTemplatesProcedure } from "./list-templates";

export const templatesRouter = router({ list: listTemplatesProcedure });
