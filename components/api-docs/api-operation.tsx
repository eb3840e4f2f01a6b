// One operation of the OpenAPI document as plain HTML (a server component: no client script).

interface MediaType {
  schema?: unknown;
}
export interface OperationView {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { description?: string; content?: Record<string, MediaType> }>;
}

/** `#/components/schemas/Project` → a link to that schema; anything else as JSON. */
function SchemaView({ schema }: { schema: unknown }) {
  const ref = (schema as { $ref?: unknown } | null)?.$ref;
  if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
    const name = ref.slice("#/components/schemas/".length);
    return <a href={`#schema-${name}`}>{name}</a>;
  }
  return <pre>{JSON.stringify(schema, null, 2)}</pre>;
}

export function ApiOperation({ path, method, op }: { path: string; method: string; op: OperationView }) {
  return (
    <section id={op.operationId ?? `${method}-${path}`} className="api-operation">
      <h2>
        <code>{method.toUpperCase()}</code> {path}
      </h2>
      {op.summary && <p>{op.summary}</p>}
      {op.description && <p className="api-description">{op.description}</p>}
      {op.parameters?.length ? (
        <>
          <h3>Parameters</h3>
          <ul>
            {op.parameters.map((p) => (
              <li key={`${p.in}:${p.name}`}>
                <code>{p.name}</code> ({p.in}
                {p.required ? ", required" : ""}){p.description ? `: ${p.description}` : ""}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {op.requestBody?.content && (
        <>
          <h3>Body</h3>
          {Object.entries(op.requestBody.content).map(([type, media]) => (
            <div key={type}>
              <code>{type}</code>
              <SchemaView schema={media.schema} />
            </div>
          ))}
        </>
      )}
      <h3>Responses</h3>
      <ul>
        {Object.entries(op.responses ?? {}).map(([status, res]) => (
          <li key={status}>
            <strong>{status}</strong> {res.description}
            {Object.entries(res.content ?? {}).map(([type, media]) => (
              <div key={type}>
                <code>{type}</code> <SchemaView schema={media.schema} />
              </div>
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}
