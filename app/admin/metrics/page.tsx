import { notFound } from "next/navigation";
import { AdminMetrics } from "@/components/admin/AdminMetrics";
import { AccountLinks } from "@/components/auth/AccountLinks";
import { currentUser } from "@/server/auth/current-user";

export const dynamic = "force-dynamic";
export const metadata = { title: "Metrics · Admin · Pantheon Sandbox" };

/** Admins only: anyone else, signed in or not, gets the same 404 as a page that does not exist. */
export default async function AdminMetricsPage() {
  const user = await currentUser();
  if (!user || user.role !== "admin" || !user.scopes.includes("admin")) notFound();
  return (
    <>
      <header className="topbar">
        <span>
          <strong>Pantheon Sandbox</strong> <span className="muted">· Admin · Metrics</span>
        </span>
        <AccountLinks email={user.email} name={user.name} links={[{ href: "/projects", label: "Projects" }]} />
      </header>
      <main className="page" style={{ maxWidth: 1280 }}>
        <AdminMetrics />
      </main>
    </>
  );
}
