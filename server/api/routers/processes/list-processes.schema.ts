import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";

export const projectProcessesInput = z.object({ projectId: projectIdSchema });
