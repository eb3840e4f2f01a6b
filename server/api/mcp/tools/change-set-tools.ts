import { verifiedChangeSetInput, verifiedChangeSetOutput } from "@/server/api/routers/ai/verified-change-set.schema";
import { applyVerifiedChangeSet } from "@/server/services/ai/verified-change-set";
import { defineTool } from "../mcp-tool";

// ai.refactorCode and ai.addFeature as MCP tools: same inputs, scopes and service.

const rollbackNote =
  "Applies the change set (write/delete/move) atomically, runs verify (default: the template's test command) and, if it fails or times out, returns every file to its exact state before (content, binary bytes, execute bits), in the store and the live container (a file someone else saved meanwhile keeps their version). Each step is a checkpoint. Give each write the baseVersion it was based on (from get_context or read_file; null for a new file): if any file changed since, nothing is written or run and the CONFLICT lists the current versions.";

export const refactorCodeTool = defineTool({
  name: "refactor_code",
  title: "Refactor, verified",
  description: `A refactoring that must keep the verification passing. ${rollbackNote}`,
  scopes: ["projects:write", "executions:run"],
  readOnly: false,
  input: verifiedChangeSetInput,
  run: async ({ actor, config }, input) =>
    verifiedChangeSetOutput.parse(await applyVerifiedChangeSet(actor, input.projectId, { kind: "refactor", ...input }, config)),
});

export const addFeatureTool = defineTool({
  name: "add_feature",
  title: "Add a feature, verified",
  description: `New code (and its tests) kept only if the verification passes. ${rollbackNote}`,
  scopes: ["projects:write", "executions:run"],
  readOnly: false,
  input: verifiedChangeSetInput,
  run: async ({ actor, config }, input) =>
    verifiedChangeSetOutput.parse(await applyVerifiedChangeSet(actor, input.projectId, { kind: "feature", ...input }, config)),
});
