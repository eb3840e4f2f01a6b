"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useDeferredValue, useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { ProjectRow } from "./ProjectRow";

type Sort = "updatedAt" | "createdAt" | "name";
const SORTS: Record<Sort, { label: string; order: "asc" | "desc" }> = {
  updatedAt: { label: "Recently updated", order: "desc" },
  createdAt: { label: "Newest", order: "desc" },
  name: { label: "Name", order: "asc" },
};

function isSort(value: string): value is Sort {
  return value in SORTS;
}

export function ProjectList() {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<Sort>("updatedAt");
  const deferredSearch = useDeferredValue(search.trim());
  const projects = useQuery({
    ...trpc.projects.list.queryOptions({ search: deferredSearch || undefined, sort, order: SORTS[sort].order }),
    placeholderData: keepPreviousData,
  });
  const me = useQuery({ ...trpc.auth.me.queryOptions(), staleTime: Infinity });
  // Public projects of others are listed too: those can be duplicated, not renamed or deleted.
  const canChange = (ownerId: number) => me.data?.role === "admin" || me.data?.id === ownerId;

  return (
    <section className="card" aria-label="Projects">
      <div className="row">
        <h2 className="grow">Your projects</h2>
        <input type="search" placeholder="Search projects" aria-label="Search projects" value={search} onChange={(e) => setSearch(e.target.value)} />
        <select aria-label="Sort by" value={sort} onChange={(e) => isSort(e.target.value) && setSort(e.target.value)}>
          {Object.entries(SORTS).map(([value, { label }]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {projects.isPending && <p className="muted">Loading projects…</p>}
      {projects.isError && (
        <p className="error" role="alert">
          Could not load projects: {projects.error.message}
        </p>
      )}
      {projects.data?.total === 0 && !deferredSearch && (
        <div className="empty" data-testid="projects-empty">
          <p>No projects yet.</p>
          <p className="muted">Projects created here or by Pantheon&apos;s AIs will appear in this list.</p>
        </div>
      )}
      {projects.data?.total === 0 && deferredSearch && <p className="muted">No project matches “{deferredSearch}”.</p>}
      {projects.data && projects.data.items.length > 0 && (
        <table className="project-table" data-testid="project-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Template</th>
              <th>Created by</th>
              <th>Last run</th>
              <th>Updated</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {projects.data.items.map((p) => (
              <ProjectRow key={p.id} project={p} mine={canChange(p.userId)} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
