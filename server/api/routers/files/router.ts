import { router } from "@/server/api/trpc";
import { createFileProcedure } from "./create-file";
import { deleteFileProcedure } from "./delete-file";
import { fileChangesProcedure } from "./file-changes";
import { listFilesProcedure } from "./list-files";
import { moveFileProcedure } from "./move-file";
import { readFileProcedure } from "./read-file";
import { vueDiagnosticsProcedure } from "./vue-diagnostics";
import { writeFileProcedure } from "./write-file";
import { writeManyProcedure } from "./write-many";

export const filesRouter = router({
  tree: listFilesProcedure,
  read: readFileProcedure,
  write: writeFileProcedure,
  create: createFileProcedure,
  move: moveFileProcedure,
  delete: deleteFileProcedure,
  writeMany: writeManyProcedure,
  changes: fileChangesProcedure,
  vueDiagnostics: vueDiagnosticsProcedure,
});
