-- CreateEnum
CREATE TYPE "network_policy" AS ENUM ('none', 'registry', 'open');

-- AlterTable
ALTER TABLE "sandbox_projects" ADD COLUMN     "network_policy" "network_policy" NOT NULL DEFAULT 'none';
