import { z } from "zod";

const alert = z.object({
  id: z.number(),
  rule: z.string(),
  subject: z.string(),
  value: z.number(),
  peak: z.number(),
  threshold: z.number(),
  message: z.string(),
  raisedAt: z.date(),
  resolvedAt: z.date().nullable(),
});
export const alertsOutput = z.object({ open: z.array(alert), recent: z.array(alert) });
