import { SignInForm } from "@/components/auth/SignInForm";

export const metadata = { title: "Sign in · Pantheon Sandbox" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string; callbackUrl?: string; registered?: string }> }) {
  const params = await searchParams;
  return (
    <main className="auth-page">
      <SignInForm
        initialError={params.error ? "Wrong email or password" : null}
        callbackUrl={safeCallback(params.callbackUrl)}
        registered={params.registered === "1"}
      />
    </main>
  );
}

// Only same-site paths: an open redirect after sign-in would be a phishing aid.
function safeCallback(url: string | undefined): string {
  return url && url.startsWith("/") && !url.startsWith("//") ? url : "/projects";
}
