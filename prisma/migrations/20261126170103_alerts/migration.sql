-- CreateTable
CREATE TABLE "alerts" (
    "id" SERIAL NOT NULL,
    "rule" VARCHAR(50) NOT NULL,
    "subject" VARCHAR(200) NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "peak" DOUBLE PRECISION NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "message" TEXT NOT NULL,
    "raised_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMP(3),

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "alerts_rule_subject_resolved_at_idx" ON "alerts"("rule", "subject", "resolved_at");

-- CreateIndex
CREATE INDEX "alerts_raised_at_idx" ON "alerts"("raised_at");
