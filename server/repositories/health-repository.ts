import { getPrisma } from "@/server/db/client";

export const healthRepository = {
  async pingDatabase(): Promise<void> {
    await getPrisma().$queryRaw`SELECT 1`;
  },
};
