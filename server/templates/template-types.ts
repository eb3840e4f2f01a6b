export const TEMPLATE_IDS = ["react-app", "node-api", "vue-app", "python-script"] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

/** Shell commands (run with `bash -c` in /workspace) that work with no network. */
export interface TemplateCommands {
  /**
   * Prints the toolchain's version. Never required: the images provide every library, so run, test,
   * build and dev work in a freshly bound container (after a restart or an idle release too).
   */
  install: string;
  run: string;
  test: string;
  build: string;
  /** A long-running server and the port it listens on, or null when the template has none. */
  dev: { command: string; port: number } | null;
}

export interface ProjectTemplate {
  id: TemplateId;
  name: string;
  description: string;
  /** Which sandbox image runs it. */
  image: "node" | "python";
  /** Relative path of the file marked as entry point; always a key of `files`. */
  entryPoint: string;
  /** Relative path → UTF-8 content. */
  files: Readonly<Record<string, string>>;
  commands: TemplateCommands;
}
