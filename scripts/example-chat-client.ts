// Usage: SANDBOX_URL=http://localhost:3000 SANDBOX_API_KEY=psk_… npx tsx scripts/example-chat-client.ts
// Creates a project, writes a file, runs it and prints the streamed output (lib/sandbox-client.ts).
import { createSandboxClient } from "@/lib/sandbox-client";
import { runChatExample } from "@/lib/sandbox-client-example";

const url = process.env.SANDBOX_URL ?? "http://localhost:3000";
const apiKey = process.env.SANDBOX_API_KEY;
if (!apiKey) {
  console.error("Set SANDBOX_API_KEY (npm run admin -- create-api-key --email you@example.com --name chat)");
  process.exit(2);
}

runChatExample(createSandboxClient({ url, apiKey }), (line) => console.log(line)).then(
  (exitCode) => process.exit(exitCode === 0 ? 0 : 1),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
