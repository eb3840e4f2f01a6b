import { executionDto } from "@/server/api/schemas/dto.schema";

export const getExecutionOutput = executionDto;
