"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";

const LABELS = {
  none: "No network",
  registry: "Package registries",
  open: "Open (admin)",
} as const;
type Policy = keyof typeof LABELS;

const HINT = "What the sandbox may reach: nothing; npm/PyPI through the egress proxy; or any public address (only admins set it).";

/** The project's network policy, in the IDE's top bar; the server enforces who may choose what. */
export function NetworkPolicySelect({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const project = useQuery(trpc.projects.get.queryOptions({ projectId }));
  const me = useQuery(trpc.auth.me.queryOptions());
  const update = useMutation(
    trpc.projects.update.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.projects.get.queryKey({ projectId }) }),
    }),
  );
  const current = update.isPending ? update.variables?.networkPolicy : project.data?.networkPolicy;
  const isAdmin = me.data?.role === "admin";

  return (
    <label className="network-policy" title={HINT}>
      <span className="muted">Network</span>{" "}
      <select
        data-testid="network-policy"
        value={current ?? "none"}
        disabled={!project.data || update.isPending}
        onChange={(e) => update.mutate({ projectId, networkPolicy: e.target.value as Policy })}
      >
        {(Object.keys(LABELS) as Policy[]).map((p) => (
          <option key={p} value={p} disabled={p === "open" && !isAdmin && current !== "open"}>
            {LABELS[p]}
          </option>
        ))}
      </select>
      {update.error && (
        <span className="error" role="alert" data-testid="network-policy-error">
          {" "}
          {update.error.message}
        </span>
      )}
    </label>
  );
}
