-- Issue 13: a preview's slot names one process across every instance (a preview URL reached
-- through any instance finds the one process it names). Ended rows hold no slot, and of running rows
-- that already clash (two instances handed out the same one), the newest gives its slot up.
UPDATE "sandbox_processes" SET "preview_port" = NULL WHERE "status" <> 'running';
UPDATE "sandbox_processes" p SET "preview_port" = NULL
  WHERE "preview_port" IS NOT NULL
    AND EXISTS (SELECT 1 FROM "sandbox_processes" o WHERE o."preview_port" = p."preview_port" AND o."id" < p."id");
CREATE UNIQUE INDEX "sandbox_processes_preview_port_key" ON "sandbox_processes"("preview_port");
