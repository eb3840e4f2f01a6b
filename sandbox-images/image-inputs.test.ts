import { describe, expect, it } from "vitest";
import { dockerfileEnv, imageInputFiles, imageInputsHash, imageTag } from "./image-inputs";

describe("image inputs", () => {
  it("names tags after the registry", () => {
    expect(imageTag("pantheon-sandbox", "node")).toBe("pantheon-sandbox/node:latest");
    expect(imageTag("registry.example:5000/team/", "python")).toBe("registry.example:5000/team/python:latest");
  });

  it("hashes the build scripts, the shared setup and the image's own folder, stably", () => {
    const files = imageInputFiles("node").map((f) => f.split("sandbox-images/")[1]);
    expect(files).toEqual(expect.arrayContaining(["build.ts", "agent.ts", "common/setup-user.sh", "node/Dockerfile", "node/package-lock.json"]));
    // The agent's sources (not its tests) are part of every image.
    expect(files).toEqual(
      expect.arrayContaining(["agent.ts", "agent/go.mod", "agent/go.sum", "agent/cmd/pantheon-agent/main.go", "agent/gen/agentv1/agent.pb.go"]),
    );
    expect(files.some((f) => f?.endsWith("_test.go") || f?.endsWith(".test.ts"))).toBe(false);
    expect(files.some((f) => f?.startsWith("python/"))).toBe(false);
    expect(imageInputsHash("node")).toBe(imageInputsHash("node"));
    expect(imageInputsHash("node")).not.toBe(imageInputsHash("python"));
  });

  it("reads the environment both build paths share from the Dockerfiles", () => {
    const node = dockerfileEnv("node");
    expect(node.HOME).toBe("/home/sandbox");
    expect(node.PATH?.startsWith("/opt/sandbox/node_modules/.bin:")).toBe(true);
    expect(node.npm_config_cache).toMatch(/^\/tmp\//); // the root filesystem is read-only
    expect(dockerfileEnv("python").PYTHONDONTWRITEBYTECODE).toBe("1");
  });
});
