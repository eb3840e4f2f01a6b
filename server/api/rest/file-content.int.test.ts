import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { POST as createProject } from "@/app/api/sandbox/projects/route";
import { GET as readContent } from "@/app/api/sandbox/projects/[id]/files/content/route";
import { POST as writeFile } from "@/app/api/sandbox/projects/[id]/files/route";

// GET /api/sandbox/projects/:id/files/content?path=…: one file's content, as JSON or raw bytes.
const base = "http://localhost/api/sandbox/projects";
const params = (id: number | string) => ({ params: Promise.resolve({ id: String(id) }) });
// The first bytes of a PNG, a NUL and bytes that are not UTF-8.
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80]);

async function projectWithFiles() {
  const user = await makeUser();
  const key = await keyFor(user, { name: "content" });
  const auth = { authorization: `Bearer ${key}` };
  const post = (url: string, body: unknown) =>
    new Request(url, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) });
  const { id } = (await (await createProject(post(base, { name: "content" }))).json()) as { id: number };
  for (const body of [
    { path: "src/héllo.js", content: "console.log('héllo')\n", is_entry_point: true },
    { path: "img/logo.png", content: PNG.toString("base64"), encoding: "base64" },
    { path: "page.html", content: "<script>alert(document.cookie)</script>" },
  ]) {
    expect((await writeFile(post(`${base}/${id}/files`, body), params(id))).status).toBe(201);
  }
  const read = (path: string, headers: Record<string, string> = {}, projectId: number = id) =>
    readContent(new Request(`${base}/${projectId}/files/content?${path}`, { headers: { ...auth, ...headers } }), params(projectId));
  return { id, auth, read };
}

interface ContentJson {
  path: string;
  content: string;
  encoding: string;
  size_bytes: number;
  is_entry_point: boolean;
}

describe("GET …/files/content", () => {
  it("answers a text file as JSON with its content and utf8 encoding", async () => {
    const { read } = await projectWithFiles();
    const res = await read(`path=${encodeURIComponent("src/héllo.js")}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toMatchObject({
      path: "src/héllo.js",
      content: "console.log('héllo')\n",
      encoding: "utf8",
      size_bytes: 22,
      is_entry_point: true,
    } satisfies Partial<ContentJson>);
  });

  it("answers a binary file in base64, or its exact bytes with its media type when Accept asks", async () => {
    const { read } = await projectWithFiles();
    const json = (await (await read("path=img/logo.png")).json()) as ContentJson;
    expect(json).toMatchObject({ encoding: "base64", size_bytes: PNG.length });
    expect(Buffer.from(json.content, "base64").equals(PNG)).toBe(true);

    for (const accept of ["application/octet-stream", "image/png", "image/avif,image/webp,*/*;q=0.8"]) {
      const raw = await read("path=img/logo.png", { accept });
      expect(raw.status, accept).toBe(200);
      expect(raw.headers.get("content-type")).toBe("image/png");
      expect(raw.headers.get("content-length")).toBe(String(PNG.length));
      expect(Buffer.from(await raw.arrayBuffer()).equals(PNG)).toBe(true);
    }
    // JSON stays the answer for */* and for application/json, even for a JSON-typed client.
    expect((await read("path=img/logo.png", { accept: "*/*" })).headers.get("content-type")).toContain("application/json");
  });

  it("never serves a project's HTML as an active page of the app's origin", async () => {
    const { read } = await projectWithFiles();
    const raw = await read("path=page.html", { accept: "application/octet-stream" });
    expect(raw.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(raw.headers.get("content-disposition")).toMatch(/^attachment; filename="page.html"/);
    expect(raw.headers.get("x-content-type-options")).toBe("nosniff");
    expect(raw.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'");
    expect(raw.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(await raw.text()).toBe("<script>alert(document.cookie)</script>");
  });

  it("answers 404 for a missing file, another user's project and a project that does not exist", async () => {
    const { read } = await projectWithFiles();
    const other = await projectWithFiles();
    const missing = await read("path=src/nope.js");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: "NOT_FOUND", message: expect.stringContaining("src/nope.js") as unknown } });
    const theirs = await read("path=src/h%C3%A9llo.js", {}, other.id);
    expect(theirs.status).toBe(404);
    expect((await read("path=a.js", {}, 999_999_999)).status).toBe(404);
  });

  it("refuses paths outside the project, a missing path and unknown parameters with 400", async () => {
    const { read } = await projectWithFiles();
    const cases: Array<[string, string]> = [
      ["path=../etc/passwd", "'..'"],
      ["path=%2Fetc%2Fpasswd", "relative path"],
      ["path=src/../../x", "'..'"],
      ["", "path"],
      ["path=a.js&maxBytes=10", "did you mean `max_bytes`?"],
      ["path=a.js&max_bytes=0", "max_bytes"],
      ["path=a.js&max_bytes=99999999", "at most 10485760"],
    ];
    for (const [query, message] of cases) {
      const res = await read(query);
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("BAD_REQUEST");
      expect(body.error.message, query).toContain(message);
    }
  });

  it("refuses a file larger than max_bytes with 413, and serves it at its size", async () => {
    const { read } = await projectWithFiles();
    const over = await read("path=img/logo.png&max_bytes=11");
    expect(over.status).toBe(413);
    expect(((await over.json()) as { error: { message: string } }).error.message).toBe(
      "img/logo.png is 12 bytes, above max_bytes 11; ask with a larger max_bytes",
    );
    expect((await read("path=img/logo.png&max_bytes=12")).status).toBe(200);
    expect((await read("path=img/logo.png&max_bytes=11", { accept: "image/png" })).status).toBe(413);
  });

  it("needs the projects:read scope and a caller", async () => {
    const { id } = await projectWithFiles();
    expect((await readContent(new Request(`${base}/${id}/files/content?path=a.js`), params(id))).status).toBe(401);
    const key = await keyFor(await makeUser(), { name: "run only", scopes: ["executions:run"] });
    const res = await readContent(new Request(`${base}/${id}/files/content?path=a.js`, { headers: { authorization: `Bearer ${key}` } }), params(id));
    expect(res.status).toBe(403);
  });
});

describe("POST …/files with text holding NUL (issue 12 point 2)", () => {
  it("stores it byte-exact (base64: PostgreSQL text cannot hold NUL), never a 500, with the version of the bytes sent", async () => {
    const { id, auth, read } = await projectWithFiles();
    const content = "a\u0000b é\n";
    const res = await writeFile(
      new Request(`${base}/${id}/files`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ path: "nul.txt", content }),
      }),
      params(id),
    );
    expect(res.status).toBe(201);
    const written = (await res.json()) as { version: string; encoding: string; size_bytes: number };
    const bytes = Buffer.from(content, "utf8");
    expect(written).toMatchObject({ encoding: "base64", size_bytes: bytes.length, version: createHash("sha256").update(bytes).digest("hex") });
    const json = (await (await read("path=nul.txt")).json()) as ContentJson;
    expect(Buffer.from(json.content, "base64").equals(bytes)).toBe(true);
  });
});
