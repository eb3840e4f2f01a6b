import { attackRouter, drain } from "@/test/support/attack-matrix";

attackRouter("executions", {
  run: { scopes: ["executions:run"], access: "write", call: (c, t) => c.executions.run({ projectId: t.projectId, kind: "command", command: "cat a.txt" }) },
  output: { scopes: ["projects:read"], access: "read", call: async (c, t) => drain(await c.executions.output({ executionId: t.executionId })) },
  // lastEventId 0 replays the target's finished execution, so an allowed call ends after one item.
  feed: { scopes: ["projects:read"], access: "read", call: async (c, t) => drain(await c.executions.feed({ projectId: t.projectId, lastEventId: 0 })) },
  cancel: { scopes: ["executions:run"], access: "write", call: (c, t) => c.executions.cancel({ executionId: t.executionId }) },
  history: { scopes: ["projects:read"], access: "read", call: (c, t) => c.executions.history({ projectId: t.projectId }) },
  get: { scopes: ["projects:read"], access: "read", call: (c, t) => c.executions.get({ executionId: t.executionId }) },
});
