import type { Metadata } from "next";
import { ApiOperation, type OperationView } from "@/components/api-docs/api-operation";
import { openApiDocument } from "@/server/api/openapi/openapi-spec";

export const metadata: Metadata = { title: "REST API · Pantheon Sandbox" };

// The OpenAPI document rendered on the server: no script of its own and nothing fetched from
// elsewhere, so the strict CSP holds. The raw document is at /api/openapi.json.
export default function ApiDocsPage() {
  const doc = openApiDocument() as unknown as {
    info: { title: string; version: string; description?: string };
    paths: Record<string, Record<string, OperationView>>;
    components?: { schemas?: Record<string, unknown> };
  };
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
  return (
    <main className="api-docs">
      <h1>
        {doc.info.title} <small>v{doc.info.version}</small>
      </h1>
      {doc.info.description && <p>{doc.info.description}</p>}
      <p>
        OpenAPI 3.1: <a href="/api/openapi.json">/api/openapi.json</a> (load it into any OpenAPI client generator).
      </p>
      <nav aria-label="Operations">
        <ul>
          {operations.map(({ path, method, op }) => (
            <li key={`${method} ${path}`}>
              <a href={`#${op.operationId ?? `${method}-${path}`}`}>
                <code>{method.toUpperCase()}</code> {path}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {operations.map(({ path, method, op }) => (
        <ApiOperation key={`${method} ${path}`} path={path} method={method} op={op} />
      ))}
      <section>
        <h2>Schemas</h2>
        {Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) => (
          <details key={name} id={`schema-${name}`}>
            <summary>{name}</summary>
            <pre>{JSON.stringify(schema, null, 2)}</pre>
          </details>
        ))}
      </section>
    </main>
  );
}
