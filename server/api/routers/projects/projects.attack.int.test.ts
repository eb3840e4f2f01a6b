import { attackRouter } from "@/test/support/attack-matrix";

attackRouter("projects", {
  create: { scopes: ["projects:write"], access: "none", call: (c) => c.projects.create({ name: "x" }) },
  list: { scopes: ["projects:read"], access: "none", call: (c) => c.projects.list() },
  get: { scopes: ["projects:read"], access: "read", call: (c, t) => c.projects.get({ projectId: t.projectId }) },
  update: { scopes: ["projects:write"], access: "write", call: (c, t) => c.projects.update({ projectId: t.projectId, name: "pwned" }) },
  delete: { scopes: ["projects:write"], access: "write", call: (c, t) => c.projects.delete({ projectId: t.projectId }) },
  duplicate: { scopes: ["projects:write"], access: "read", call: (c, t) => c.projects.duplicate({ projectId: t.projectId }) },
  // Owner-only even on a public project: resource figures are not what a public project shares.
  metrics: { scopes: ["projects:read"], access: "write", call: (c, t) => c.projects.metrics({ projectId: t.projectId }) },
  release: { scopes: ["projects:write"], access: "write", call: (c, t) => c.projects.release({ projectId: t.projectId }) },
});
