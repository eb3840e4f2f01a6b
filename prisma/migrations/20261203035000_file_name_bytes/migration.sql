-- File names that are not valid UTF-8 are stored exactly (issue 12 point 2). Additive: existing
-- rows (all UTF-8 names) keep path_bytes null, which means "the name is file_path's UTF-8".
-- For such a name file_path holds its escaped path (each invalid byte as \xHH in lowercase,
-- server/sandbox/byte-names.ts): unique per name, because a UTF-8 name may not hold a backslash,
-- so the (project_id, file_path) unique key stays the file's identity.
-- AlterTable
ALTER TABLE "sandbox_files" ADD COLUMN     "path_bytes" BYTEA;

-- The bytes are set exactly when file_path is an escaped path (holds a backslash, chr(92)).
ALTER TABLE "sandbox_files" ADD CONSTRAINT "sandbox_files_path_bytes_escaped"
  CHECK ((path_bytes IS NULL) = (strpos(file_path, chr(92)) = 0));
