-- AlterTable
ALTER TABLE "sandbox_executions" ADD COLUMN     "deadline_at" TIMESTAMP(3),
ADD COLUMN     "instance_id" VARCHAR(40);

-- AlterTable
ALTER TABLE "sandbox_processes" ADD COLUMN     "instance_id" VARCHAR(40);

-- CreateTable
CREATE TABLE "server_instances" (
    "id" VARCHAR(40) NOT NULL,
    "host" VARCHAR(255) NOT NULL,
    "pid" INTEGER NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "server_instances_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sandbox_executions_finished_at_idx" ON "sandbox_executions"("finished_at");

-- CreateIndex
CREATE INDEX "server_instances_heartbeat_at_idx" ON "server_instances"("heartbeat_at");
