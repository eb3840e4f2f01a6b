-- AlterTable: every file gets its version, the SHA-256 of its decoded bytes (what the app computes).
ALTER TABLE "sandbox_files" ADD COLUMN     "content_sha256" CHAR(64);

UPDATE "sandbox_files" SET "content_sha256" = encode(sha256(
  CASE WHEN "encoding" = 'base64' THEN decode(coalesce("content", ''), 'base64') ELSE convert_to(coalesce("content", ''), 'UTF8') END
), 'hex');

ALTER TABLE "sandbox_files" ALTER COLUMN "content_sha256" SET NOT NULL;
