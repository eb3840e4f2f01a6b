import { z } from "zod";
import { AppError } from "@/server/errors/app-error";
import { nodeApiTemplate } from "./node-api";
import { pythonScriptTemplate } from "./python-script";
import { reactAppTemplate } from "./react-app";
import { TEMPLATE_IDS, type ProjectTemplate, type TemplateId } from "./template-types";
import { vueAppTemplate } from "./vue-app";

export { TEMPLATE_IDS, type ProjectTemplate, type TemplateId } from "./template-types";

const TEMPLATES: Readonly<Record<TemplateId, ProjectTemplate>> = {
  "react-app": reactAppTemplate,
  "node-api": nodeApiTemplate,
  "vue-app": vueAppTemplate,
  "python-script": pythonScriptTemplate,
};

/** Names the seed's own API example uses for a template (`"template": "react-typescript"`). */
const TEMPLATE_ALIASES: Readonly<Record<string, TemplateId>> = { "react-typescript": "react-app" };

const unknownTemplateMessage = (id: unknown) => `unknown template ${JSON.stringify(id)}; valid templates: ${TEMPLATE_IDS.join(", ")}`;

export const templateIdSchema = z.enum(TEMPLATE_IDS, { error: (issue) => unknownTemplateMessage(issue.input) });

export function listTemplates(): ProjectTemplate[] {
  return TEMPLATE_IDS.map((id) => TEMPLATES[id]);
}

/** The template for an id (or a seed alias); an unknown id is a BAD_REQUEST naming the valid ones. */
export function getTemplate(id: string): ProjectTemplate {
  const canonical = TEMPLATE_ALIASES[id] ?? id;
  const parsed = templateIdSchema.safeParse(canonical);
  if (!parsed.success) throw new AppError("BAD_REQUEST", unknownTemplateMessage(id), { validTemplates: [...TEMPLATE_IDS] });
  return TEMPLATES[parsed.data];
}
