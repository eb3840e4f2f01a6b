import Link from "next/link";

export default function ProjectNotFound() {
  return (
    <main className="auth-page">
      <section className="card empty" data-testid="project-not-found">
        <h1>Project not found</h1>
        <p className="muted">It does not exist, was deleted, or belongs to someone else.</p>
        <Link href="/projects">Back to your projects</Link>
      </section>
    </main>
  );
}
