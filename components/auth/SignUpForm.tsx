"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { formText } from "@/lib/form-text";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/password-limits";
import { useTRPC } from "@/lib/trpc/client";

export function SignUpForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = formText(form, "email");
    const password = formText(form, "password");
    setError(null);
    if (password !== formText(form, "confirm")) {
      setError("The two passwords differ");
      return;
    }
    try {
      await signUp.mutateAsync({ email, password, name: formText(form, "name") || undefined });
    } catch (e) {
      setError(e instanceof Error ? e.message : "Sign-up failed");
      return;
    }
    // The sign-up answer is the same for a new and a taken email (nothing tells a stranger which
    // emails have accounts), so signing in with what was typed is how we find out: it works for a
    // new account, and for the owner of an existing one; anyone else gets the sign-in page.
    const result = await signIn("credentials", { email, password, redirect: false });
    if (!result || result.error) {
      router.push("/signin?registered=1");
      return;
    }
    router.push("/projects");
    router.refresh();
  }

  return (
    <form className="card" method="post" onSubmit={onSubmit} aria-label="Sign up">
      <h1>Create your account</h1>
      {error && (
        <p className="error" role="alert" data-testid="form-error">
          {error}
        </p>
      )}
      <label className="field">
        Name <span className="muted">(optional)</span>
        <input name="name" autoComplete="name" maxLength={100} />
      </label>
      <label className="field">
        Email
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label className="field">
        Password <span className="muted">(12 characters or more)</span>
        <input name="password" type="password" autoComplete="new-password" minLength={PASSWORD_MIN_LENGTH} maxLength={PASSWORD_MAX_LENGTH} required />
      </label>
      <label className="field">
        Repeat password
        <input name="confirm" type="password" autoComplete="new-password" minLength={PASSWORD_MIN_LENGTH} maxLength={PASSWORD_MAX_LENGTH} required />
      </label>
      <button className="btn" type="submit" disabled={signUp.isPending}>
        {signUp.isPending ? "Creating…" : "Sign up"}
      </button>
      <p className="muted">
        Have an account? <Link href="/signin">Sign in</Link>
      </p>
    </form>
  );
}
