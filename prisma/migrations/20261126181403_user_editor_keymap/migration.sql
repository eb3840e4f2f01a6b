-- AlterTable
ALTER TABLE "users" ADD COLUMN     "editor_keymap" VARCHAR(20) NOT NULL DEFAULT 'default';
