import { z } from "zod";
import { diagnosticDto, executionDto } from "@/server/api/schemas/dto.schema";

/** A finished execution as the AI tools return it: with its output and located errors. */
export const executionResultDto = executionDto.extend({ diagnostics: z.array(diagnosticDto) });
