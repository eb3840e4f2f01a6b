// The deployment manifests against the official OpenAPI schema (kubernetes-models), and against
// what the code expects of them: the same default-deny policy the driver builds, RBAC no wider
// than pods, pods/exec and pods/attach in the sandbox namespace, an env the app accepts.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAllYaml } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { KubernetesDriverConfigSchema } from "@/server/sandbox/kubernetes/kubernetes-config";
import { buildDefaultDenyPolicy, DEFAULT_DENY_POLICY } from "@/server/sandbox/kubernetes/pod-spec";
import { validateKubernetesObject } from "@/server/sandbox/kubernetes/schema";

const DIR = fileURLToPath(new URL(".", import.meta.url));
const SANDBOX_NS = KubernetesDriverConfigSchema.parse({}).namespace;

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

const docs: { file: string; doc: Doc }[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((file) => (loadAllYaml(readFileSync(join(DIR, file), "utf8")) as Doc[]).map((doc) => ({ file, doc })));
const find = (kind: string, name?: string) =>
  docs.filter(({ doc }) => doc.kind === kind && (name === undefined || doc.metadata.name === name)).map((d) => d.doc);

describe("deploy/kubernetes manifests", () => {
  it("every object validates against the Kubernetes OpenAPI schema", () => {
    expect(docs.length).toBeGreaterThanOrEqual(10);
    for (const { file, doc } of docs) expect(() => validateKubernetesObject(doc), `${file}: ${doc.kind}/${doc.metadata.name}`).not.toThrow();
  });

  it("ships exactly the default-deny policy the driver builds, and a restricted sandbox namespace", () => {
    const [policy] = find("NetworkPolicy", DEFAULT_DENY_POLICY);
    expect(JSON.parse(JSON.stringify(policy))).toEqual(JSON.parse(JSON.stringify(buildDefaultDenyPolicy(SANDBOX_NS))));
    expect(find("Namespace", SANDBOX_NS)[0]!.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
  });

  it("gives the app a Role limited to pods, pods/exec and pods/attach in the sandbox namespace (and reading the one policy)", () => {
    const roles = find("Role");
    expect(roles).toHaveLength(1);
    expect(find("ClusterRole")).toHaveLength(0);
    expect(find("ClusterRoleBinding")).toHaveLength(0);
    const role = roles[0] as Doc & { rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[] };
    expect(role.metadata.namespace).toBe(SANDBOX_NS);
    const resources = role.rules.flatMap((r) => r.resources.map((res) => `${r.apiGroups.join()}/${res}`)).sort();
    expect(resources).toEqual(["/pods", "/pods/attach", "/pods/exec", "networking.k8s.io/networkpolicies"]);
    const policyRule = role.rules.find((r) => r.resources.includes("networkpolicies"))!;
    expect(policyRule).toMatchObject({ verbs: ["get"], resourceNames: [DEFAULT_DENY_POLICY] });
    expect(role.rules.flatMap((r) => r.verbs)).not.toContain("*");
    const binding = find("RoleBinding")[0] as Doc & { subjects: { kind: string; name: string; namespace: string }[]; roleRef: { name: string } };
    expect(binding.metadata.namespace).toBe(SANDBOX_NS);
    expect(binding.roleRef.name).toBe(role.metadata.name);
    const sa = find("ServiceAccount")[0]!;
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: sa.metadata.name, namespace: sa.metadata.namespace }]);
  });

  it("runs the app on the Kubernetes driver with external PostgreSQL from a Secret, with an env the app accepts", () => {
    type Container = { env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] };
    const deployment = find("Deployment", "pantheon-app")[0] as Doc & {
      spec: { replicas: number; template: { spec: { serviceAccountName: string; containers: Container[] } } };
    };
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe(find("ServiceAccount")[0]!.metadata.name);
    const env = pod.containers[0]!.env;
    const plain = Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
    const parsed = parseEnv(plain);
    expect(parsed).toMatchObject({ SANDBOX_DRIVER: "kubernetes", SANDBOX_K8S_NAMESPACE: SANDBOX_NS });
    expect(find("RuntimeClass", parsed.SANDBOX_K8S_RUNTIME_CLASS)).toHaveLength(1);
    const secret = find("Secret")[0] as Doc & { stringData: Record<string, string> };
    for (const name of ["DATABASE_URL", "NEXTAUTH_SECRET"]) {
      const ref = env.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
      expect(ref?.name).toBe(secret.metadata.name);
      expect(secret.stringData).toHaveProperty(ref!.key);
    }
    expect(() => parseEnv({ ...plain, DATABASE_URL: secret.stringData.DATABASE_URL, NEXTAUTH_SECRET: secret.stringData.NEXTAUTH_SECRET })).not.toThrow();
    expect(find("Service", "pantheon-app")).toHaveLength(1);
  });
});
