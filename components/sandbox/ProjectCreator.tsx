"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/lib/trpc/client";

/** Name + template → a new project, then straight into its IDE. */
export function ProjectCreator() {
  const trpc = useTRPC();
  const router = useRouter();
  const templates = useQuery(trpc.templates.list.queryOptions());
  const create = useMutation(trpc.projects.create.mutationOptions());
  const [name, setName] = useState("");
  const [template, setTemplate] = useState("");
  const [error, setError] = useState<string | null>(null);
  const chosen = templates.data?.find((t) => t.id === template);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    try {
      const project = await create.mutateAsync({ name, template: template || null });
      router.push(`/projects/${project.id}`);
    } catch (e) {
      const message = e instanceof Error ? e.message : "Could not create the project";
      setError(message);
      toast.error(`Creating the project failed: ${message}`);
    }
  }

  return (
    <form className="card creator" onSubmit={onSubmit} aria-label="New project">
      <h2>New project</h2>
      {error && (
        <p className="error" role="alert" data-testid="create-error">
          {error}
        </p>
      )}
      <div className="row">
        <label className="field grow">
          <span>Project name</span>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={255} />
        </label>
        <label className="field">
          <span>Template</span>
          <select name="template" value={template} onChange={(e) => setTemplate(e.target.value)} disabled={templates.isPending}>
            <option value="">Empty project</option>
            {templates.data?.map((t) => (
              <option key={t.id} value={t.id} title={t.description}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <button className="btn" type="submit" disabled={create.isPending || !name.trim()}>
          {create.isPending ? "Creating…" : "Create"}
        </button>
      </div>
      {chosen && (
        <p className="muted small template-help" data-testid="template-description">
          {chosen.description}
        </p>
      )}
      {templates.isError && <p className="error">Templates unavailable: {templates.error.message}</p>}
    </form>
  );
}
