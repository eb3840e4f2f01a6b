-- AlterTable
ALTER TABLE "sandbox_executions" ADD COLUMN     "listening_ports" INTEGER[] DEFAULT ARRAY[]::INTEGER[];
