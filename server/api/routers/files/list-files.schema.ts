import { z } from "zod";
import { fileMetaDto } from "@/server/api/schemas/dto.schema";

export const listFilesOutput = z.array(fileMetaDto);
