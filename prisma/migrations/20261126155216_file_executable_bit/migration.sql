-- AlterTable
ALTER TABLE "sandbox_files" ADD COLUMN     "is_executable" BOOLEAN NOT NULL DEFAULT false;
