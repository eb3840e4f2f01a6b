-- AlterTable
ALTER TABLE "sandbox_executions" ADD COLUMN     "skipped_files" JSONB;

-- AlterTable
ALTER TABLE "sandbox_projects" ADD COLUMN     "container_holder_id" INTEGER;

-- CreateIndex
CREATE INDEX "sandbox_projects_container_holder_id_idx" ON "sandbox_projects"("container_holder_id");
