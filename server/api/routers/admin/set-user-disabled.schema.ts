import { z } from "zod";

export const setUserDisabledInput = z.object({ userId: z.number().int().positive(), disabled: z.boolean() });
export const setUserDisabledOutput = z.object({ id: z.number(), email: z.string(), disabledAt: z.date().nullable() });
