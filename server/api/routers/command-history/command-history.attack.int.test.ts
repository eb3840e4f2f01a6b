import { attackRouter } from "@/test/support/attack-matrix";

attackRouter("commandHistory", {
  list: { scopes: ["executions:run"], access: "write", call: (c, t) => c.commandHistory.list({ projectId: t.projectId }) },
  add: { scopes: ["executions:run"], access: "write", call: (c, t) => c.commandHistory.add({ projectId: t.projectId, command: "ls" }) },
  clear: { scopes: ["executions:run"], access: "write", call: (c, t) => c.commandHistory.clear({ projectId: t.projectId }) },
});
