-- Issue 13: each instance's reachable address (written at boot), so a peer can proxy a shell or a
-- preview to it and follow a run's output from it.
ALTER TABLE "server_instances" ADD COLUMN "address" VARCHAR(255);
