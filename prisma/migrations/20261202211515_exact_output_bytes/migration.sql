-- Exact output bytes beside the text columns (issue 12 point 2). Additive: existing rows keep
-- their text and read as before (a null bytes column means the text is exact).
-- AlterTable
ALTER TABLE "sandbox_executions" ADD COLUMN     "error_output_bytes" BYTEA,
ADD COLUMN     "output_bytes" BYTEA;

-- AlterTable
ALTER TABLE "sandbox_processes" ADD COLUMN     "output_bytes" BYTEA;
