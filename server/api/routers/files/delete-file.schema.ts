import { z } from "zod";

export const deleteFileOutput = z.object({ deleted: z.array(z.string()) });
