-- CreateTable
CREATE TABLE "command_history" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "project_id" INTEGER NOT NULL,
    "command" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "command_history_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "command_history_user_id_project_id_id_idx" ON "command_history"("user_id", "project_id", "id");

-- CreateIndex
CREATE INDEX "command_history_project_id_idx" ON "command_history"("project_id");

-- AddForeignKey
ALTER TABLE "command_history" ADD CONSTRAINT "command_history_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "command_history" ADD CONSTRAINT "command_history_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "sandbox_projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
