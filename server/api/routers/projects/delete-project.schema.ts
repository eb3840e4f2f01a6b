import { z } from "zod";

export const deleteProjectOutput = z.object({ deleted: z.literal(true) });
