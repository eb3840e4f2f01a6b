import { z } from "zod";

export const templateDto = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  image: z.enum(["node", "python"]),
  entryPoint: z.string(),
  files: z.array(z.string()),
  commands: z.object({
    install: z.string(),
    run: z.string(),
    test: z.string(),
    build: z.string(),
    dev: z.object({ command: z.string(), port: z.number() }).nullable(),
  }),
});
export const listTemplatesOutput = z.array(templateDto);
