import Link from "next/link";
import { SignOutButton } from "./SignOutButton";

/**
 * The right side of every signed-in page's top bar: where to go, who is signed in (their name,
 * or their email when they gave none), sign out.
 */
export function AccountLinks({ email, name, links }: { email: string; name?: string | null; links: Array<{ href: string; label: string }> }) {
  return (
    <span>
      {links.map((l) => (
        <span key={l.href}>
          <Link href={l.href}>{l.label}</Link>{" "}
        </span>
      ))}
      <span className="muted" data-testid="signed-in-as" title={name?.trim() ? email : undefined}>
        {name?.trim() || email}
      </span>{" "}
      <SignOutButton />
    </span>
  );
}
