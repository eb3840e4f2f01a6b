import { z } from "zod";

export const listUsersInput = z
  .object({ take: z.number().int().min(1).max(200).default(50), skip: z.number().int().min(0).default(0) })
  .default({ take: 50, skip: 0 });
export const listUsersOutput = z.array(
  z.object({ id: z.number(), email: z.string(), name: z.string().nullable(), role: z.string(), createdAt: z.date(), disabledAt: z.date().nullable() }),
);
