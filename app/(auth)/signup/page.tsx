import { SignUpForm } from "@/components/auth/SignUpForm";

export const metadata = { title: "Sign up · Pantheon Sandbox" };

export default function SignUpPage() {
  return (
    <main className="auth-page">
      <SignUpForm />
    </main>
  );
}
