// The worker thread's entry: the checker is this app's TypeScript, and a worker thread does not
// inherit the server's tsx loader in every Node version, so it registers tsx itself (tsconfig
// paths included) before loading it. Plain JavaScript: Node runs it as is.
import { register } from "tsx/esm/api";

register({ tsconfig: new URL("../../../tsconfig.json", import.meta.url).pathname });
await import("./vue-check-worker.ts");
