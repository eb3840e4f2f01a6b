import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCaller, sessionCookie } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { openShell, startShellServer, TEST_ORIGIN } from "@/test/support/shell-client";
import { GET as trpcGet } from "@/app/api/trpc/[trpc]/route";
import { GET as listProjects } from "@/app/api/sandbox/projects/route";
import { resolveCaller } from "@/server/auth/resolve-caller";
import { sessionCookieName } from "@/server/auth/session-cookie";

// Cookies a previewed page can set on the app's host name (cookies are not isolated by port):
// undecodable values, and a second session cookie (its own account's, or a copy under another
// Path). Each surface that reads the session must ignore the first and refuse to choose for the
// second. Pages are covered against the real server in e2e/accounts.spec.ts.
const UNDECODABLE = 'x=%; y=%E0%A4%A; z="%"';
const name = sessionCookieName(false);

let victim: { id: number; email: string };
let victimCookie: string;
let attackerCookie: string;
beforeAll(async () => {
  victim = await makeUser();
  victimCookie = await sessionCookie(victim.id);
  // So that the REST listing shows whose session was read.
  await (await sessionCaller(victim.id)).projects.create({ name: `victim ${victim.id}` });
  attackerCookie = await sessionCookie((await makeUser()).id);
});

const surfaces: Record<string, (cookie: string) => Promise<{ status: number; body: string }>> = {
  tRPC: async (cookie) => {
    const res = await trpcGet(new Request("http://localhost/api/trpc/auth.me", { headers: { cookie } }));
    return { status: res.status, body: await res.text() };
  },
  REST: async (cookie) => {
    const res = await listProjects(new Request("http://localhost/api/sandbox/projects", { headers: { cookie } }));
    return { status: res.status, body: await res.text() };
  },
  // What server components (pages) use through currentUser(); previews use their own tokens.
  "resolveCaller (pages)": async (cookie) => {
    const { user, authError } = await resolveCaller(new Headers({ cookie }));
    return { status: user ? 200 : 401, body: user ? JSON.stringify({ id: user.id }) : (authError ?? "") };
  },
};

describe("hostile Cookie headers", () => {
  for (const [surface, call] of Object.entries(surfaces)) {
    it(`${surface}: an undecodable cookie alone is anonymous (401), never a 500`, async () => {
      const { status } = await call(UNDECODABLE);
      expect(status).toBe(401);
    });

    it(`${surface}: an undecodable cookie beside a good session leaves the session working`, async () => {
      const { status, body } = await call(`${UNDECODABLE}; ${victimCookie}; w=%%`);
      expect(status).toBe(200);
      expect(body).toContain(String(victim.id));
    });

    it(`${surface}: two session cookies, in either order, sign in nobody and say why`, async () => {
      for (const cookie of [`${victimCookie}; ${attackerCookie}`, `${attackerCookie}; ${victimCookie}`, `${victimCookie}; ${victimCookie}`]) {
        const { status, body } = await call(cookie);
        expect(status).toBe(401);
        expect(body).toContain("More than one session cookie");
      }
    });

    it(`${surface}: a planted chunk beside the real session signs in nobody`, async () => {
      const chunk = attackerCookie.replace(`${name}=`, `${name}.0=`);
      const { status, body } = await call(`${victimCookie}; ${chunk}`);
      expect(status).toBe(401);
      expect(body).toContain("More than one session cookie");
    });
  }
});

describe("hostile Cookie headers on the shell WebSocket", () => {
  let server: Awaited<ReturnType<typeof startShellServer>>;
  beforeAll(async () => {
    server = await startShellServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("an undecodable cookie alone: 401, not a 500", async () => {
    expect(await openShell(server.url, 1, { cookie: UNDECODABLE, origin: TEST_ORIGIN })).toMatchObject({ opened: false, status: 401 });
  });

  it("an undecodable cookie beside a session: the session is read (a stranger's project answers 404, past sign-in)", async () => {
    expect(await openShell(server.url, 2_000_000_000, { cookie: `${UNDECODABLE}; ${victimCookie}`, origin: TEST_ORIGIN })).toMatchObject({
      opened: false,
      status: 404,
    });
  });

  it("two session cookies: 401 with the reason", async () => {
    const outcome = await openShell(server.url, 2_000_000_000, { cookie: `${attackerCookie}; ${victimCookie}`, origin: TEST_ORIGIN });
    expect(outcome).toMatchObject({ opened: false, status: 401 });
    expect(outcome.opened ? "" : outcome.body).toContain("More than one session cookie");
  });
});
