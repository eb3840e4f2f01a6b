import Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { ensureImages, missingImages } from "./ensure-images";

const docker = new Docker();

describe("missingImages / ensureImages", () => {
  it("reports absent tags and the exact command to build them", async () => {
    const result = await missingImages(docker, "pantheon-absent-registry-test");
    expect(result.missing.map((m) => m.tag)).toEqual(["pantheon-absent-registry-test/node:latest", "pantheon-absent-registry-test/python:latest"]);
    expect(result.command).toBe("SANDBOX_CONTAINER_REGISTRY=pantheon-absent-registry-test npm run images");
  });

  it("builds what is missing, then skips images whose inputs hash matches", async () => {
    await ensureImages({ log: () => undefined });
    const again = await ensureImages({ log: () => undefined });
    expect(again.built).toEqual([]);
    expect(again.skipped).toHaveLength(2);
    const status = await missingImages(docker);
    expect(status.missing).toEqual([]);
    expect(status.command).toBe("");
  });
});
