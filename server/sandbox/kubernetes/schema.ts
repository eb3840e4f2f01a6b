// Validation against the official Kubernetes OpenAPI schema as packaged by kubernetes-models
// (its validators are generated from the upstream OpenAPI document, ajv-compiled, offline).
// The driver checks what it sends, so a bug in a spec fails here with the field's path rather
// than as an API server's 422; the fake API server of the tests applies the same check.
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { RuntimeClass } from "kubernetes-models/node.k8s.io/v1/RuntimeClass";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Pod } from "kubernetes-models/v1/Pod";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";

interface Validatable {
  validate(): void;
}
type ModelConstructor = new (data: never) => Validatable;

const MODELS: Record<string, ModelConstructor> = {
  "v1/Pod": Pod,
  "v1/Namespace": Namespace,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "v1/Secret": Secret,
  "v1/ConfigMap": ConfigMap,
  "apps/v1/Deployment": Deployment,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "rbac.authorization.k8s.io/v1/Role": Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding,
  "node.k8s.io/v1/RuntimeClass": RuntimeClass,
};

export const VALIDATED_KINDS = Object.keys(MODELS);

export class KubernetesSchemaError extends Error {
  constructor(
    readonly kind: string,
    readonly problems: string,
  ) {
    super(`${kind} does not match the Kubernetes schema: ${problems}`);
    this.name = "KubernetesSchemaError";
  }
}

/** Throws KubernetesSchemaError unless `object` is a valid object of a kind listed in MODELS. */
export function validateKubernetesObject(object: unknown): void {
  if (typeof object !== "object" || object === null || Array.isArray(object)) throw new KubernetesSchemaError("?", "not an object");
  const { apiVersion, kind } = object as { apiVersion?: unknown; kind?: unknown };
  const key = `${String(apiVersion)}/${String(kind)}`;
  const Model = MODELS[key];
  if (!Model) throw new KubernetesSchemaError(key, "kind not known to this validator");
  try {
    // A JSON round trip first: the schema speaks of JSON, and undefined fields are not sent.
    new Model(JSON.parse(JSON.stringify(object)) as never).validate();
  } catch (err) {
    throw new KubernetesSchemaError(key, err instanceof Error ? err.message : String(err));
  }
}
