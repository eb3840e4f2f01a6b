"use client";

import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { formText } from "@/lib/form-text";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/password-limits";
import { useTRPC } from "@/lib/trpc/client";

export function ChangePasswordForm({ email }: { email: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const change = useMutation(trpc.auth.changePassword.mutationOptions());

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const newPassword = formText(form, "newPassword");
    setError(null);
    setDone(false);
    if (newPassword !== formText(form, "confirm")) {
      setError("The two new passwords differ");
      return;
    }
    try {
      await change.mutateAsync({ currentPassword: formText(form, "currentPassword"), newPassword });
    } catch (e) {
      setError(e instanceof Error ? e.message : "The password could not be changed");
      return;
    }
    // Every session ended with the change, this one too: sign in again with the new password.
    const result = await signIn("credentials", { email, password: newPassword, redirect: false });
    if (!result || result.error) {
      router.push("/signin?callbackUrl=/account");
      return;
    }
    formElement.reset();
    setDone(true);
    router.refresh();
  }

  return (
    <form className="card" method="post" onSubmit={onSubmit} aria-label="Change password">
      <h2>Change password</h2>
      {error && (
        <p className="error" role="alert" data-testid="form-error">
          {error}
        </p>
      )}
      {done && (
        <p className="muted" role="status" data-testid="password-changed">
          Password changed. Every other session of this account has been signed out.
        </p>
      )}
      <label className="field">
        Current password
        <input name="currentPassword" type="password" autoComplete="current-password" required />
      </label>
      <label className="field">
        New password <span className="muted">(12 characters or more)</span>
        <input name="newPassword" type="password" autoComplete="new-password" minLength={PASSWORD_MIN_LENGTH} maxLength={PASSWORD_MAX_LENGTH} required />
      </label>
      <label className="field">
        Repeat new password
        <input name="confirm" type="password" autoComplete="new-password" minLength={PASSWORD_MIN_LENGTH} maxLength={PASSWORD_MAX_LENGTH} required />
      </label>
      <button className="btn" type="submit" disabled={change.isPending}>
        {change.isPending ? "Changing…" : "Change password"}
      </button>
    </form>
  );
}
