// Vitest runs outside Next's bundler, where "server-only" would throw; server code is what we test.
export {};
