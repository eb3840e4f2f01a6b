-- What the output cap cut, per stream, and where its marker lines sit (issue 19 point 2), for
-- machines: a program can print a line that looks like a marker. Additive: null = nothing cut
-- (or a row written before this column, where output_truncated still says whether anything was).
-- AlterTable
ALTER TABLE "sandbox_executions" ADD COLUMN     "output_truncation" JSONB;
