import type { McpTool } from "./mcp-tool";
import { applyChangesTool, debugTool, getContextTool, runTestsTool } from "./tools/ai-tools";
import { addFeatureTool, refactorCodeTool } from "./tools/change-set-tools";
import { getCheckpointTool, listCheckpointsTool, restoreCheckpointTool } from "./tools/checkpoint-tools";
import { optimizePerformanceTool } from "./tools/optimize-tool";
import { listFilesTool, readFileTool, writeFileTool } from "./tools/file-tools";
import { startDevServerTool, stopProcessTool } from "./tools/process-tools";
import { createProjectTool, listProjectsTool, listTemplatesTool } from "./tools/project-tools";
import { runTool } from "./tools/run-tool";

/** Every MCP tool, in the order tools/list shows them. */
export const MCP_TOOLS: readonly McpTool[] = [
  listTemplatesTool,
  listProjectsTool,
  createProjectTool,
  listFilesTool,
  readFileTool,
  writeFileTool,
  runTool,
  runTestsTool,
  debugTool,
  getContextTool,
  applyChangesTool,
  refactorCodeTool,
  addFeatureTool,
  listCheckpointsTool,
  getCheckpointTool,
  restoreCheckpointTool,
  optimizePerformanceTool,
  startDevServerTool,
  stopProcessTool,
];
