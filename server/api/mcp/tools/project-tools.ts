import { aiCreateProjectInput } from "@/server/api/routers/ai/create-project.schema";
import { createProjectOutput } from "@/server/api/routers/projects/create-project.schema";
import { listProjectsInput, listProjectsOutput, listProjectsQuery } from "@/server/api/routers/projects/list-projects.schema";
import { listTemplatesOutput } from "@/server/api/routers/templates/list-templates.schema";
import { z } from "zod";
import { createProject, listProjects } from "@/server/services/projects/project-service";
import { listTemplates } from "@/server/templates/templates";
import { defineTool } from "../mcp-tool";

export const listTemplatesTool = defineTool({
  name: "list_templates",
  title: "List project templates",
  description: "The project templates (id, image, entry point, file names, run/test/build/dev commands). Pass an id to create_project.",
  scopes: [],
  readOnly: true,
  input: z.object({}),
  run: async () => ({ templates: listTemplatesOutput.parse(listTemplates().map((t) => ({ ...t, files: Object.keys(t.files) }))) }),
});

export const listProjectsTool = defineTool({
  name: "list_projects",
  title: "List projects",
  description: "Your projects, newest first (search by name or description; limit/offset to page).",
  scopes: ["projects:read"],
  readOnly: true,
  input: listProjectsInput,
  run: async ({ user }, input) => listProjectsOutput.parse(await listProjects(user, listProjectsQuery(input))),
});

export const createProjectTool = defineTool({
  name: "create_project",
  title: "Create a project from a template",
  description:
    "Creates a project with a template's complete structure (react-app, node-api, vue-app, python-script; list_templates shows them). " +
    "Attributed to aiPersonality, or to the API key's default personality.",
  scopes: ["projects:write"],
  readOnly: false,
  input: aiCreateProjectInput,
  run: async ({ actor }, input) => createProjectOutput.parse(await createProject(actor, input)),
});
