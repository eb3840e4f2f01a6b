-- CreateTable
CREATE TABLE "fleet_metrics" (
    "id" SERIAL NOT NULL,
    "timestamp" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "active_sandboxes" INTEGER NOT NULL,
    "warm_containers" INTEGER NOT NULL,
    "active_executions" INTEGER NOT NULL,
    "executions_per_minute" DOUBLE PRECISION NOT NULL,
    "error_rate" DOUBLE PRECISION NOT NULL,
    "p50_ms" DOUBLE PRECISION NOT NULL,
    "p95_ms" DOUBLE PRECISION NOT NULL,
    "cpu_percent" DOUBLE PRECISION NOT NULL,
    "memory_mb" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "fleet_metrics_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "fleet_metrics_timestamp_idx" ON "fleet_metrics"("timestamp");

-- CreateIndex
CREATE INDEX "sandbox_metrics_timestamp_idx" ON "sandbox_metrics"("timestamp");
