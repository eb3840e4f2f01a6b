import { z } from "zod";
import { diagnosticDto, executionDto } from "@/server/api/schemas/dto.schema";

export const debugCodeOutput = z.object({ execution: executionDto.nullable(), diagnostics: z.array(diagnosticDto) });
