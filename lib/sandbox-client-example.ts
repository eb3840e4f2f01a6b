import type { SandboxClient } from "./sandbox-client";

/**
 * What a chat service does with the client: create a project, write a file, run it, and print
 * the output as it streams. Returns the execution's exit code.
 */
export async function runChatExample(client: SandboxClient, print: (line: string) => void): Promise<number | null> {
  const project = await client.projects.create.mutate({ name: "Hello from the chat", aiPersonality: "geppo" });
  print(`created project ${project.id}`);
  await client.files.write.mutate({
    projectId: project.id,
    path: "hello.js",
    content: "for (const n of [1, 2, 3]) console.log(`hello ${n}`);\n",
    isEntryPoint: true,
  });
  print("wrote hello.js");
  const { executionId } = await client.executions.run.mutate({ projectId: project.id, kind: "command", command: "node hello.js" });
  print(`execution ${executionId} started`);
  return new Promise((resolve, reject) => {
    const subscription = client.executions.output.subscribe(
      { executionId },
      {
        onData: ({ data: event }) => {
          if (event.type === "exit") {
            print(`[exit ${event.exitCode ?? "-"} ${event.status}]`);
            subscription.unsubscribe();
            resolve(event.exitCode);
          } else {
            for (const line of event.data.split("\n").filter(Boolean)) print(`[${event.type}] ${line}`);
          }
        },
        onError: reject,
      },
    );
  });
}
