import { z } from "zod";

export const anomaliesOutput = z
  .object({
    at: z.date(),
    errors: z.array(z.string()),
    flags: z.array(
      z.object({
        subject: z.object({ kind: z.enum(["project", "user"]), id: z.string() }),
        signal: z.string(),
        reason: z.string(),
        value: z.number(),
        baseline: z.number(),
        mad: z.number().nullable(),
        z: z.number().nullable(),
        message: z.string(),
      }),
    ),
  })
  .nullable();
