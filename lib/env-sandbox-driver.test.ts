import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

describe("SANDBOX_DRIVER", () => {
  it("defaults to docker, selects kubernetes, and refuses anything else", () => {
    expect(parseEnv({}).SANDBOX_DRIVER).toBe("docker");
    const k8s = parseEnv({ SANDBOX_DRIVER: "kubernetes", SANDBOX_K8S_RUNTIME_CLASS: "gvisor", SANDBOX_K8S_SECCOMP_PROFILE: "" });
    expect(k8s).toMatchObject({ SANDBOX_DRIVER: "kubernetes", SANDBOX_K8S_NAMESPACE: "pantheon-sandboxes", SANDBOX_K8S_RUNTIME_CLASS: "gvisor" });
    expect(k8s.SANDBOX_K8S_SECCOMP_PROFILE).toBeUndefined();
    expect(() => parseEnv({ SANDBOX_DRIVER: "nomad" })).toThrow(/SANDBOX_DRIVER/);
    expect(() => parseEnv({ SANDBOX_K8S_NAMESPACE: "Not A Namespace" })).toThrow(/SANDBOX_K8S_NAMESPACE/);
  });

  it("SANDBOX_K8S_CLUSTER_CIDRS: the cluster's ranges the egress proxy refuses (none by default)", () => {
    expect(parseEnv({}).SANDBOX_K8S_CLUSTER_CIDRS).toEqual([]);
    expect(parseEnv({ SANDBOX_K8S_CLUSTER_CIDRS: " 100.96.0.0/11, fd00:10::/56 " }).SANDBOX_K8S_CLUSTER_CIDRS).toEqual(["100.96.0.0/11", "fd00:10::/56"]);
    expect(() => parseEnv({ SANDBOX_K8S_CLUSTER_CIDRS: "cluster.local" })).toThrow(/SANDBOX_K8S_CLUSTER_CIDRS/);
  });
});
