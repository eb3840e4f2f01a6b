import { attackRouter, drain } from "@/test/support/attack-matrix";

attackRouter("files", {
  tree: { scopes: ["projects:read"], access: "read", call: (c, t) => c.files.tree({ projectId: t.projectId }) },
  read: { scopes: ["projects:read"], access: "read", call: (c, t) => c.files.read({ projectId: t.projectId, path: "a.txt" }) },
  write: { scopes: ["projects:write"], access: "write", call: (c, t) => c.files.write({ projectId: t.projectId, path: "a.txt", content: "pwned" }) },
  create: { scopes: ["projects:write"], access: "write", call: (c, t) => c.files.create({ projectId: t.projectId, path: "new.txt", content: "pwned" }) },
  move: { scopes: ["projects:write"], access: "write", call: (c, t) => c.files.move({ projectId: t.projectId, from: "a.txt", to: "b.txt" }) },
  delete: { scopes: ["projects:write"], access: "write", call: (c, t) => c.files.delete({ projectId: t.projectId, path: "a.txt" }) },
  changes: { scopes: ["projects:read"], access: "read", call: async (c, t) => drain(await c.files.changes({ projectId: t.projectId })) },
  vueDiagnostics: {
    scopes: ["projects:write"],
    access: "write",
    call: (c, t) => c.files.vueDiagnostics({ projectId: t.projectId, path: "App.vue", content: "<template></template>" }),
  },
  writeMany: {
    scopes: ["projects:write"],
    access: "write",
    call: (c, t) => c.files.writeMany({ projectId: t.projectId, writes: [{ path: "x.txt", content: "pwned" }], deletes: [] }),
  },
});
