-- Project ownership (services/cluster/SCALE.md): at most one instance holds a live container of a
-- project. The primary key decides a race: the epoch (a fresh number per acquisition) fences the
-- late writes of an instance that lost the project while it was silent.
CREATE SEQUENCE "project_owners_epoch_seq";

-- CreateTable
CREATE TABLE "project_owners" (
    "project_id" INTEGER NOT NULL,
    "instance_id" VARCHAR(40) NOT NULL,
    "epoch" BIGINT NOT NULL DEFAULT nextval('project_owners_epoch_seq'),
    "acquired_at" TIMESTAMP(3) NOT NULL DEFAULT timezone('UTC'::text, now()),

    CONSTRAINT "project_owners_pkey" PRIMARY KEY ("project_id")
);

-- CreateIndex
CREATE INDEX "project_owners_instance_id_idx" ON "project_owners"("instance_id");

-- AddForeignKey
ALTER TABLE "project_owners" ADD CONSTRAINT "project_owners_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "sandbox_projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
