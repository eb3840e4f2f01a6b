import { router } from "@/server/api/trpc";
import { createProjectProcedure } from "./create-project";
import { deleteProjectProcedure } from "./delete-project";
import { duplicateProjectProcedure } from "./duplicate-project";
import { getProjectProcedure } from "./get-project";
import { listProjectsProcedure } from "./list-projects";
import { projectMetricsProcedure } from "./project-metrics";
import { releaseProjectProcedure } from "./release-project";
import { updateProjectProcedure } from "./update-project";

export const projectsRouter = router({
  create: createProjectProcedure,
  list: listProjectsProcedure,
  get: getProjectProcedure,
  update: updateProjectProcedure,
  delete: deleteProjectProcedure,
  duplicate: duplicateProjectProcedure,
  release: releaseProjectProcedure,
  metrics: projectMetricsProcedure,
});
