"use client";

export default function ProjectError({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <main className="auth-page">
      <section className="card empty" role="alert">
        <h1>The IDE failed to load</h1>
        <p className="error">{error.message}</p>
        <button className="btn" onClick={reset}>
          Try again
        </button>
      </section>
    </main>
  );
}
