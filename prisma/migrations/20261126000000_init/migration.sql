-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "email" VARCHAR(320) NOT NULL,
    "name" VARCHAR(100),
    "password_hash" TEXT NOT NULL,
    "role" VARCHAR(20) NOT NULL DEFAULT 'user',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "prefix" VARCHAR(32) NOT NULL,
    "hash" VARCHAR(64) NOT NULL,
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "default_ai_personality" VARCHAR(50),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMP(3),
    "expires_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sandbox_projects" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "description" TEXT,
    "user_id" INTEGER NOT NULL,
    "created_by_ai" VARCHAR(50),
    "template_type" VARCHAR(50),
    "is_public" BOOLEAN NOT NULL DEFAULT false,
    "status" VARCHAR(20) NOT NULL DEFAULT 'active',
    "container_id" VARCHAR(255),
    "last_accessed_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sandbox_projects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sandbox_files" (
    "id" SERIAL NOT NULL,
    "project_id" INTEGER NOT NULL,
    "file_path" VARCHAR(500) NOT NULL,
    "content" TEXT,
    "encoding" VARCHAR(10) NOT NULL DEFAULT 'utf8',
    "file_type" VARCHAR(50),
    "size_bytes" INTEGER NOT NULL DEFAULT 0,
    "created_by_ai" VARCHAR(50),
    "is_entry_point" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sandbox_files_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sandbox_executions" (
    "id" SERIAL NOT NULL,
    "project_id" INTEGER NOT NULL,
    "user_id" INTEGER,
    "executed_code" TEXT,
    "language" VARCHAR(20),
    "execution_type" VARCHAR(50),
    "output" TEXT,
    "error_output" TEXT,
    "output_truncated" BOOLEAN NOT NULL DEFAULT false,
    "exit_code" INTEGER,
    "execution_time_ms" INTEGER,
    "memory_used_mb" DOUBLE PRECISION,
    "cpu_usage_percent" DOUBLE PRECISION,
    "status" VARCHAR(20),
    "status_reason" VARCHAR(20),
    "executed_by_ai" VARCHAR(50),
    "executed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "sandbox_executions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sandbox_metrics" (
    "id" SERIAL NOT NULL,
    "project_id" INTEGER NOT NULL,
    "metric_type" VARCHAR(50),
    "value" DOUBLE PRECISION,
    "unit" VARCHAR(20),
    "timestamp" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sandbox_metrics_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");

-- CreateIndex
CREATE INDEX "api_keys_user_id_idx" ON "api_keys"("user_id");

-- CreateIndex
CREATE INDEX "idx_sandbox_projects_user" ON "sandbox_projects"("user_id");

-- CreateIndex
CREATE INDEX "idx_sandbox_files_project" ON "sandbox_files"("project_id");

-- CreateIndex
CREATE UNIQUE INDEX "sandbox_files_project_id_file_path_key" ON "sandbox_files"("project_id", "file_path");

-- CreateIndex
CREATE INDEX "idx_sandbox_executions_project" ON "sandbox_executions"("project_id");

-- CreateIndex
CREATE INDEX "sandbox_executions_project_id_executed_at_idx" ON "sandbox_executions"("project_id", "executed_at");

-- CreateIndex
CREATE INDEX "idx_sandbox_metrics_project_time" ON "sandbox_metrics"("project_id", "timestamp");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sandbox_projects" ADD CONSTRAINT "sandbox_projects_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sandbox_files" ADD CONSTRAINT "sandbox_files_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "sandbox_projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sandbox_executions" ADD CONSTRAINT "sandbox_executions_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "sandbox_projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sandbox_executions" ADD CONSTRAINT "sandbox_executions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sandbox_metrics" ADD CONSTRAINT "sandbox_metrics_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "sandbox_projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
