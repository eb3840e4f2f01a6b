"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { formText } from "@/lib/form-text";

export function SignInForm({ initialError, callbackUrl, registered }: { initialError: string | null; callbackUrl: string; registered: boolean }) {
  const router = useRouter();
  const [error, setError] = useState(initialError);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn("credentials", { email: formText(form, "email"), password: formText(form, "password"), redirect: false });
    setPending(false);
    if (!result || result.error) {
      // 429: the throttle's own message, which says how long to wait.
      setError(result?.status === 429 && result.error ? result.error : "Wrong email or password");
      return;
    }
    router.push(callbackUrl);
    router.refresh();
  }

  return (
    <form className="card" method="post" onSubmit={onSubmit} aria-label="Sign in">
      <h1>Sign in</h1>
      {registered && <p className="muted">Sign-up received. Sign in with your email and password to continue.</p>}
      {error && (
        <p className="error" role="alert" data-testid="form-error">
          {error}
        </p>
      )}
      <label className="field">
        Email
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label className="field">
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button className="btn" type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      <p className="muted">
        No account? <Link href="/signup">Sign up</Link>
      </p>
    </form>
  );
}
