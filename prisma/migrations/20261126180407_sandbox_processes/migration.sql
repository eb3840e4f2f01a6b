-- CreateTable
CREATE TABLE "sandbox_processes" (
    "id" SERIAL NOT NULL,
    "project_id" INTEGER NOT NULL,
    "user_id" INTEGER,
    "command" TEXT NOT NULL,
    "image" VARCHAR(20) NOT NULL,
    "port" INTEGER,
    "preview_port" INTEGER,
    "status" VARCHAR(20) NOT NULL DEFAULT 'running',
    "exit_code" INTEGER,
    "output" TEXT NOT NULL DEFAULT '',
    "started_by_ai" VARCHAR(50),
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMP(3),

    CONSTRAINT "sandbox_processes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sandbox_processes_project_id_started_at_idx" ON "sandbox_processes"("project_id", "started_at");

-- CreateIndex
CREATE INDEX "sandbox_processes_status_idx" ON "sandbox_processes"("status");

-- AddForeignKey
ALTER TABLE "sandbox_processes" ADD CONSTRAINT "sandbox_processes_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "sandbox_projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sandbox_processes" ADD CONSTRAINT "sandbox_processes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
