import { fileDto } from "@/server/api/schemas/dto.schema";

export const readFileOutput = fileDto;
