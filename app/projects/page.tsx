import Link from "next/link";
import { redirect } from "next/navigation";
import { SignOutButton } from "@/components/auth/SignOutButton";
import { ProjectsDashboard } from "@/components/sandbox/ProjectsDashboard";
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
          {user.role === "admin" && (
            <>
              <Link href="/admin/metrics">Metrics</Link>{" "}
            </>
          )}
          <span className="muted" data-testid="signed-in-as">
            {user.email}
          </span>{" "}
          <Link href="/account">Account</Link> <SignOutButton />
        </span>
      </header>
      <main className="page">
        <h1>Projects</h1>
        <ProjectsDashboard />
      </main>
    </>
  );
}
