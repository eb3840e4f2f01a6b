import { fileDto } from "@/server/api/schemas/dto.schema";

export const writeFileOutput = fileDto;
