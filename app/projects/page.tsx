import { redirect } from "next/navigation";
import { AccountLinks } from "@/components/auth/AccountLinks";
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
        <AccountLinks
          email={user.email}
          name={user.name}
          links={[...(user.role === "admin" ? [{ href: "/admin/metrics", label: "Metrics" }] : []), { href: "/account", label: "Account" }]}
        />
      </header>
      <main className="page">
        <h1>Projects</h1>
        <ProjectsDashboard />
      </main>
    </>
  );
}
