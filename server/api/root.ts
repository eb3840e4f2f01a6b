import { adminRouter } from "./routers/admin/router";
import { apiKeysRouter } from "./routers/api-keys/router";
import { authRouter } from "./routers/auth/router";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  apiKeys: apiKeysRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
