import Link from "next/link";
import { redirect } from "next/navigation";
import { ChangePasswordForm } from "@/components/auth/ChangePasswordForm";
import { SignOutButton } from "@/components/auth/SignOutButton";
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
        <span>
          <Link href="/projects">Projects</Link>{" "}
          <span className="muted" data-testid="signed-in-as">
            {user.email}
          </span>{" "}
          <SignOutButton />
        </span>
      </header>
      <main className="page auth-page">
        <ChangePasswordForm email={user.email} />
      </main>
    </>
  );
}
