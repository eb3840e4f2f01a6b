import { attackRouter } from "@/test/support/attack-matrix";

attackRouter("ai", {
  createProject: { scopes: ["projects:write"], access: "none", call: (c) => c.ai.createProject({ name: "x", template: "node-api" }) },
  generateFile: { scopes: ["projects:write"], access: "write", call: (c, t) => c.ai.generateFile({ projectId: t.projectId, path: "a.txt", content: "pwned" }) },
  runTests: { scopes: ["executions:run"], access: "write", call: (c, t) => c.ai.runTests({ projectId: t.projectId }) },
  debugCode: { scopes: ["projects:read"], access: "read", call: (c, t) => c.ai.debugCode({ projectId: t.projectId }) },
  getContext: { scopes: ["projects:read"], access: "read", call: (c, t) => c.ai.getContext({ projectId: t.projectId }) },
  applyChanges: {
    scopes: ["projects:write", "executions:run"],
    access: "write",
    call: (c, t) => c.ai.applyChanges({ projectId: t.projectId, writes: [{ path: "a.txt", content: "pwned" }], verifyCommand: "cat a.txt" }),
  },
  refactorCode: {
    scopes: ["projects:write", "executions:run"],
    access: "write",
    call: (c, t) =>
      c.ai.refactorCode({ projectId: t.projectId, description: "x", changes: [{ op: "write", path: "a.txt", content: "pwned" }], verify: "true" }),
  },
  addFeature: {
    scopes: ["projects:write", "executions:run"],
    access: "write",
    call: (c, t) => c.ai.addFeature({ projectId: t.projectId, description: "x", changes: [{ op: "delete", path: "a.txt" }], verify: "true" }),
  },
  optimizePerformance: {
    scopes: ["executions:run"],
    access: "write",
    call: (c, t) => c.ai.optimizePerformance({ projectId: t.projectId, command: "cat a.txt", runs: 1 }),
  },
  optimizePerformanceCompare: {
    scopes: ["executions:run"],
    access: "write",
    call: (c, t) =>
      c.ai.optimizePerformance({ projectId: t.projectId, command: "cat a.txt", runs: 1, candidate: { writes: [{ path: "a.txt", content: "pwned" }] } }),
  },
});
