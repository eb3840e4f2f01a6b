import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/server/api/openapi/openapi-spec";
import ApiDocsPage from "./page";

describe("/api-docs", () => {
  it("renders every operation of the document and its schemas, with no script of its own and nothing from elsewhere", () => {
    const html = renderToStaticMarkup(createElement(ApiDocsPage));
    const doc = openApiDocument() as unknown as { paths: Record<string, Record<string, unknown>>; components?: { schemas?: Record<string, unknown> } };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) expect(html).toContain(`<code>${method.toUpperCase()}</code> ${path}`);
    }
    for (const name of Object.keys(doc.components?.schemas ?? {})) expect(html).toContain(`id="schema-${name}"`);
    expect(html).toContain('href="/api/openapi.json"');
    expect(html).not.toContain("<script");
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});
