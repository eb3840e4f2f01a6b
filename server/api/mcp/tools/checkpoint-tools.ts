import { getCheckpointInput, getCheckpointOutput } from "@/server/api/routers/checkpoints/get-checkpoint.schema";
import { listCheckpointsInput, listCheckpointsOutput } from "@/server/api/routers/checkpoints/list-checkpoints.schema";
import { restoreCheckpointInput, restoreCheckpointOutput } from "@/server/api/routers/checkpoints/restore-checkpoint.schema";
import { getCheckpoint, listCheckpoints, restoreCheckpoint } from "@/server/services/checkpoints/checkpoint-service";
import { defineTool } from "../mcp-tool";

// The checkpoints.* procedures as MCP tools.

export const listCheckpointsTool = defineTool({
  name: "list_checkpoints",
  title: "List checkpoints",
  description: "The project's change sets, newest first: who (person or AI personality), when, a description and the files changed.",
  scopes: ["projects:read"],
  readOnly: true,
  input: listCheckpointsInput,
  run: async ({ user }, input) => listCheckpointsOutput.parse(await listCheckpoints(user, input.projectId, input)),
});

export const getCheckpointTool = defineTool({
  name: "get_checkpoint",
  title: "Show a checkpoint",
  description: "One checkpoint with each file's content before and after and a unified diff (binary files: sizes and hashes only).",
  scopes: ["projects:read"],
  readOnly: true,
  input: getCheckpointInput,
  run: async ({ user }, input) => getCheckpointOutput.parse(await getCheckpoint(user, input.projectId, input.checkpointId, input.path)),
});

export const restoreCheckpointTool = defineTool({
  name: "restore_checkpoint",
  title: "Restore a checkpoint",
  description: "Returns the files to their state just after the checkpoint. The restore is itself a checkpoint: restore the one before it to undo.",
  scopes: ["projects:write"],
  readOnly: false,
  input: restoreCheckpointInput,
  run: async ({ actor, config }, input) => restoreCheckpointOutput.parse(await restoreCheckpoint(actor, input.projectId, input.checkpointId, config)),
});
