-- CreateTable
CREATE TABLE "checkpoints" (
    "id" SERIAL NOT NULL,
    "project_id" INTEGER NOT NULL,
    "user_id" INTEGER,
    "ai_personality" VARCHAR(50),
    "source" VARCHAR(20) NOT NULL,
    "description" VARCHAR(500) NOT NULL,
    "restored_from" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "checkpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "checkpoint_files" (
    "id" SERIAL NOT NULL,
    "checkpoint_id" INTEGER NOT NULL,
    "project_id" INTEGER NOT NULL,
    "file_path" VARCHAR(500) NOT NULL,
    "before_hash" CHAR(64),
    "before_encoding" VARCHAR(10),
    "before_executable" BOOLEAN,
    "after_hash" CHAR(64),
    "after_encoding" VARCHAR(10),
    "after_executable" BOOLEAN,

    CONSTRAINT "checkpoint_files_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "checkpoint_blobs" (
    "project_id" INTEGER NOT NULL,
    "hash" CHAR(64) NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "checkpoint_blobs_pkey" PRIMARY KEY ("project_id","hash")
);

-- CreateIndex
CREATE INDEX "idx_checkpoints_project" ON "checkpoints"("project_id", "id");

-- CreateIndex
CREATE INDEX "idx_checkpoint_files_project_path" ON "checkpoint_files"("project_id", "file_path");

-- CreateIndex
CREATE UNIQUE INDEX "checkpoint_files_checkpoint_id_file_path_key" ON "checkpoint_files"("checkpoint_id", "file_path");

-- AddForeignKey
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "sandbox_projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "checkpoint_files" ADD CONSTRAINT "checkpoint_files_checkpoint_id_fkey" FOREIGN KEY ("checkpoint_id") REFERENCES "checkpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "checkpoint_blobs" ADD CONSTRAINT "checkpoint_blobs_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "sandbox_projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
