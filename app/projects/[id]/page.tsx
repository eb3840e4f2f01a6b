import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { Ide } from "@/components/sandbox/Ide";
import { getEnv } from "@/lib/env";
import { createContext } from "@/server/api/context";
import { createCaller } from "@/server/api/root";
import { currentUser } from "@/server/auth/current-user";
import { listTemplates } from "@/server/templates/templates";

export const dynamic = "force-dynamic";
export const metadata = { title: "IDE · Pantheon Sandbox" };

/** Checks the session and that the project is readable through the same procedure the API uses. */
/** Templates whose dev server serves a page (a front end with index.html) start with the preview shown. */
function opensOnAPage(templateType: string | null): boolean {
  const template = listTemplates().find((t) => t.id === templateType);
  return Boolean(template?.commands.dev && "index.html" in template.files);
}

export default async function ProjectIdePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await currentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(`/projects/${id}`)}`);
  const projectId = Number(id);
  if (!/^\d+$/.test(id) || !Number.isSafeInteger(projectId) || projectId <= 0 || projectId > 2_147_483_647) notFound();

  const caller = createCaller(await createContext({ headers: await headers() }));
  let project;
  try {
    project = await caller.projects.get({ projectId });
  } catch (e) {
    // A foreign project answers like a missing one, so the page leaks no existence either.
    if (e instanceof TRPCError && (e.code === "NOT_FOUND" || e.code === "FORBIDDEN")) notFound();
    throw e;
  }
  const runTimeoutSeconds = getEnv().SANDBOX_DEFAULT_TIMEOUT;
  return (
    <Ide
      project={{ id: project.id, name: project.name, templateType: project.templateType, createdByAi: project.createdByAi, runTimeoutSeconds }}
      userId={user.id}
      userLabel={user.name?.trim() || user.email}
      previewFirst={opensOnAPage(project.templateType)}
    />
  );
}
