import { adminRouter } from "./routers/admin/router";
import { apiKeysRouter } from "./routers/api-keys/router";
import { aiRouter } from "./routers/ai/router";
import { authRouter } from "./routers/auth/router";
import { checkpointsRouter } from "./routers/checkpoints/router";
import { commandHistoryRouter } from "./routers/command-history/router";
import { executionsRouter } from "./routers/executions/router";
import { filesRouter } from "./routers/files/router";
import { processesRouter } from "./routers/processes/router";
import { projectsRouter } from "./routers/projects/router";
import { settingsRouter } from "./routers/settings/router";
import { templatesRouter } from "./routers/templates/router";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  apiKeys: apiKeysRouter,
  admin: adminRouter,
  projects: projectsRouter,
  files: filesRouter,
  executions: executionsRouter,
  commandHistory: commandHistoryRouter,
  processes: processesRouter,
  templates: templatesRouter,
  settings: settingsRouter,
  ai: aiRouter,
  checkpoints: checkpointsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
