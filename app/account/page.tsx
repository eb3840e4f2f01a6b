import { redirect } from "next/navigation";
import { ChangePasswordForm } from "@/components/auth/ChangePasswordForm";
import { AccountLinks } from "@/components/auth/AccountLinks";
import { currentUser } from "@/server/auth/current-user";

export const dynamic = "force-dynamic";
export const metadata = { title: "Account · Pantheon Sandbox" };

export default async function AccountPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?callbackUrl=/account");
  return (
    <>
      <header className="topbar">
        <strong>Pantheon Sandbox</strong>
        <AccountLinks email={user.email} name={user.name} links={[{ href: "/projects", label: "Projects" }]} />
      </header>
      <main className="page auth-page">
        <ChangePasswordForm email={user.email} />
      </main>
    </>
  );
}
