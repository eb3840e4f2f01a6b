import { executionResultDto } from "@/server/api/routers/ai/ai.schema";
import { applyChangesInput, applyChangesOutput } from "@/server/api/routers/ai/apply-changes.schema";
import { debugCodeOutput } from "@/server/api/routers/ai/debug-code.schema";
import { getContextInput, getContextOutput } from "@/server/api/routers/ai/get-context.schema";
import { runTestsInput } from "@/server/api/routers/ai/run-tests.schema";
import { projectIdInput } from "@/server/api/routers/projects/get-project.schema";
import { applyChanges, debugCode, runTests } from "@/server/services/ai/ai-tools";
import { projectContext } from "@/server/services/ai/project-context";
import { defineTool } from "../mcp-tool";

// The ai.* procedures as MCP tools: same inputs, scopes and services.

export const debugTool = defineTool({
  name: "debug",
  title: "Diagnose the latest failure",
  description: "The project's latest failed execution and the errors parsed from it (file, line, column, message; TypeScript, Node, Python).",
  scopes: ["projects:read"],
  readOnly: true,
  input: projectIdInput,
  run: async ({ user }, input) => debugCodeOutput.parse(await debugCode(user, input.projectId)),
});

export const getContextTool = defineTool({
  name: "get_context",
  title: "Get the project's context",
  description:
    "The file tree, file contents within byteBudget bytes (the rest listed as omitted), each with its version (send it as baseVersion when you write the file), and the last executions with their diagnostics.",
  scopes: ["projects:read"],
  readOnly: true,
  input: getContextInput,
  run: async ({ user }, input) => getContextOutput.parse(await projectContext(user, input.projectId, input.byteBudget)),
});

export const applyChangesTool = defineTool({
  name: "apply_changes",
  title: "Apply a change set",
  description:
    "Writes and deletes files as one unit (all stored, or none), then runs verifyCommand if given (e.g. the template's test command) and returns its result. " +
    "Give each write the baseVersion it was based on (`version` from get_context or read_file; null for a new file): if any file changed since, nothing is written and the CONFLICT lists the current versions. " +
    "A write without baseVersion overwrites whatever is there. Returns each written file's new version.",
  scopes: ["projects:write", "executions:run"],
  readOnly: false,
  input: applyChangesInput,
  run: async ({ actor, config }, input) =>
    applyChangesOutput.parse(await applyChanges(actor, input.projectId, { writes: input.writes, deletes: input.deletes }, input, config)),
});

export const runTestsTool = defineTool({
  name: "run_tests",
  title: "Run the project's tests",
  description: "Runs the template's test command to completion; returns exitCode, output and diagnostics.",
  scopes: ["executions:run"],
  readOnly: false,
  input: runTestsInput,
  run: async ({ actor, config }, input) => executionResultDto.parse(await runTests(actor, input.projectId, input, config)),
});
