import type { VueDiagnostic } from "./vue-checker";

// The messages between the server and its Vue-check worker thread (vue-check-worker.ts): one
// request, one answer with the same id. Both sides are this app's code in one process; the
// request's parts were validated at the API boundary before they are posted.

export interface VueCheckRequest {
  id: number;
  projectId: number;
  /** Every source file of the project the check needs (path → text), the edited file's unsaved text included. */
  files: Map<string, string>;
  path: string;
}

export type VueCheckAnswer = { id: number; diagnostics: VueDiagnostic[] } | { id: number; error: string };
