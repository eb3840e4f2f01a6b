import { redirect } from "next/navigation";
import { SignOutButton } from "@/components/auth/SignOutButton";
import { currentUser } from "@/server/auth/current-user";

export const dynamic = "force-dynamic";
export const metadata = { title: "Projects · Pantheon Sandbox" };

export default async function ProjectsPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?callbackUrl=/projects");
  return (
    <>
      <header className="topbar">
        <strong>Pantheon Sandbox</strong>
        <span>
          <span className="muted" data-testid="signed-in-as">
            {user.email}
          </span>{" "}
          <SignOutButton />
        </span>
      </header>
      <main className="page">
        <h1>Projects</h1>
        <section className="card empty" data-testid="projects-empty">
          <p>No projects yet.</p>
          <p className="muted">Projects created here or by Pantheon's AIs will appear in this list.</p>
        </section>
      </main>
    </>
  );
}
