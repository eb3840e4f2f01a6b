import { z } from "zod";

export const releaseProjectOutput = z.object({ released: z.literal(true) });
