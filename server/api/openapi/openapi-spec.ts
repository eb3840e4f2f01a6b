import pkg from "@/package.json";
import { buildOpenApiDocument } from "./openapi-document";

let cached: ReturnType<typeof buildOpenApiDocument> | undefined;

/** Built once per process: the schemas do not change while it runs. */
export function openApiDocument() {
  cached ??= buildOpenApiDocument(pkg.version);
  return cached;
}
