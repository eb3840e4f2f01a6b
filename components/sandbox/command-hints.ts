/** The template's commands as the templates list gives them (null: an empty project). */
type Commands = { run: string; test: string; build: string; dev: { command: string; port: number } | null } | null;
type Image = "node" | "python" | null;

/**
 * Example commands the IDE's empty inputs suggest, drawn from the project's own template: a
 * Python project never suggests `npm test`, an empty project (the node image, no package.json)
 * suggests what works in it without one.
 */
export function commandHints(commands: Commands, image: Image) {
  // No `ls`: under the gVisor release some hosts run (runsc 2022), coreutils' statx fails with EINVAL.
  if (!commands) return { command: "node index.js", background: "node server.js", port: "8080" };
  const background = commands.dev ?? (image === "python" ? { command: "python3 -m http.server 8000", port: 8000 } : { command: "node server.js", port: 8080 });
  return { command: commands.test || commands.run, background: background.command, port: String(background.port) };
}
