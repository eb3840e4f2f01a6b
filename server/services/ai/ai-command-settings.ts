import type { FileWriteSettings } from "@/server/services/files/apply-file-changes";
import type { ExecutionSettings } from "@/server/services/executions/start-execution";

/** What the AI commands need of the configuration: they write files and run commands. Passed in where the request entered. */
export type AiCommandSettings = ExecutionSettings & FileWriteSettings;
