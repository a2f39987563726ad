// The admin API and web pages: a page on another site (CSRF) or a page whose DNS name is rebound
// to the mock's loopback address must neither change nor read the mock's state; curl, scripts
// and the kit's own admin client, which send no Origin, keep working.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockAdmin } from "../src/client/mock-admin.ts";
import { browserRefusal } from "../src/mock/admin/access.ts";
import { startTestMock, messagesPath, type TestMock } from "./support/mock.ts";
import { rawRequest } from "./support/raw.ts";
import { apiKey, businessNumber, sid, validBody } from "./support/requests.ts";

const portOf = (mock: TestMock) => Number(new URL(mock.url).port);

async function call(mock: TestMock, method: string, path: string, headers: Record<string, string>, body?: string) {
  const answer = await rawRequest(mock.url, { method, path, headers, ...(body === undefined ? {} : { body }) });
  return { status: answer.status, headers: answer.headers, body: answer.text ? (JSON.parse(answer.text) as { detail?: string }) : undefined };
}

describe("the admin API, open on loopback, and web pages", () => {
  let mock: TestMock;
  let port: number;
  beforeAll(async () => {
    mock = await startTestMock({ apiKey });
    port = portOf(mock);
    const body = validBody();
    await rawRequest(mock.url, {
      method: "POST",
      path: messagesPath(sid, businessNumber),
      headers: { "content-type": "application/json", "api-key": apiKey },
      body: JSON.stringify(body),
    });
  });
  afterAll(() => mock.close());

  it("answers a Host that is a loopback name (a local reverse proxy's port too); any other Host gets 403", async () => {
    const statusWith = async (host: string) => (await call(mock, "GET", "/__admin/requests", { host })).status;
    const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `127.1.2.3:${port}`, `[::1]:${port}`, "127.0.0.1", `127.0.0.1:${port + 1}`];
    const refused = [
      `evil.example:${port}`,
      `localhost.:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `[::2]:${port}`,
      `127.0.0.1:${port}0`,
      `0.0.0.0:${port}`,
      "127.0.0.1:port",
      `attacker.example:${port}, 127.0.0.1`,
    ];
    expect(await Promise.all(allowed.map(statusWith))).toEqual(allowed.map(() => 200));
    expect(await Promise.all(refused.map(statusWith))).toEqual(refused.map(() => 403));
  });

  it("refuses a cross-site Origin or Sec-Fetch-Site, and a refused call changes nothing", async () => {
    const host = `127.0.0.1:${port}`;
    const before = await createMockAdmin({ baseUrl: mock.url }).requests();
    expect(before).toHaveLength(1);
    const pages: Record<string, string>[] = [
      { origin: "https://example.com" },
      { origin: "null" },
      { origin: `http://localhost:${port}` },
      { origin: `http://${host}, https://example.com` },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
    ];
    for (const page of pages) {
      const reset = await call(mock, "POST", "/__admin/reset", { host, ...page });
      const planted = await call(
        mock,
        "POST",
        "/__admin/scenarios",
        { host, "content-type": "application/json", ...page },
        JSON.stringify({ match: {}, respond: { fault: "connection-reset" } }),
      );
      const read = await call(mock, "GET", "/__admin/requests", { host, ...page });
      expect([page, reset.status, planted.status, read.status]).toEqual([page, 403, 403, 403]);
    }
    expect(await call(mock, "GET", "/__admin/requests", { host, origin: "https://example.com" })).toMatchObject({
      body: { title: "Forbidden", status: 403, detail: 'The admin API does not answer web pages: Origin "https://example.com" is not the mock\'s own.' },
    });
    expect(await createMockAdmin({ baseUrl: mock.url }).requests()).toEqual(before);
    expect(await createMockAdmin({ baseUrl: mock.url }).scenarios()).toEqual([]);
    // Its own origin, and a browser's same-origin or user-typed navigation, are answered.
    for (const own of [{ origin: `http://${host}` }, { "sec-fetch-site": "same-origin" }, { "sec-fetch-site": "none" }])
      expect((await call(mock, "GET", "/__admin/requests", { host, ...own })).status).toBe(200);
  });

  it("refuses a body that is not declared application/json, and sends no CORS headers", async () => {
    const host = `127.0.0.1:${port}`;
    const scenario = JSON.stringify({ match: {}, respond: { example: "low-balance" } });
    const untyped = await call(mock, "POST", "/__admin/scenarios", { host }, scenario);
    expect([untyped.status, (untyped.body as { errors: unknown }).errors]).toEqual([
      400,
      [{ field: "content-type", message: "is required: application/json" }],
    ]);
    const preflight = await rawRequest(mock.url, {
      method: "OPTIONS",
      path: "/__admin/requests",
      headers: { host, origin: `http://${host}`, "access-control-request-method": "DELETE" },
    });
    expect(Object.keys(preflight.headers).filter((name) => name.startsWith("access-control-"))).toEqual([]);
    const read = await rawRequest(mock.url, { method: "GET", path: "/__admin/requests", headers: { host } });
    expect(Object.keys(read.headers).filter((name) => name.startsWith("access-control-"))).toEqual([]);
  });
});

describe("the admin API with a token", () => {
  it("answers a service name as Host (docker-compose), and still refuses another site's page", async () => {
    const token = "admin-token-0123456789";
    const mock = await startTestMock({}, "fast", { adminToken: token });
    try {
      const bearer = { authorization: `Bearer ${token}` };
      expect((await call(mock, "GET", "/__admin/requests", { ...bearer, host: "kaleyra-mock:4010" })).status).toBe(200);
      expect((await call(mock, "GET", "/__admin/requests", { ...bearer, host: "kaleyra-mock:4010", origin: "http://kaleyra-mock:4010" })).status).toBe(200);
      expect((await call(mock, "GET", "/__admin/requests", { ...bearer, host: "kaleyra-mock:4010", origin: "https://example.com" })).status).toBe(403);
      // Without the token, 401 before anything else.
      expect((await call(mock, "GET", "/__admin/requests", { host: "kaleyra-mock:4010", origin: "https://example.com" })).status).toBe(401);
    } finally {
      await mock.close();
    }
  });
});

describe("browserRefusal", () => {
  const open = { mode: "open" } as const;
  it("names what gave the page away", () => {
    const facts = { host: "127.0.0.1:4010", origin: undefined, fetchSite: undefined };
    expect([
      browserRefusal(open, facts),
      browserRefusal(open, { ...facts, host: undefined }),
      browserRefusal(open, { ...facts, host: "rebound.example:4010" }),
      browserRefusal(open, { ...facts, host: "127.0.0.1" }),
      browserRefusal(open, { ...facts, fetchSite: "Cross-Site" }),
      browserRefusal(open, { ...facts, origin: "HTTP://127.0.0.1:4010" }),
      browserRefusal(open, { ...facts, origin: "https://127.0.0.1:4010" }),
      browserRefusal(open, { ...facts, origin: "http://127.0.0.1:4011" }),
      browserRefusal({ mode: "token", token: "t" }, { ...facts, host: "mock:4010" }),
    ]).toEqual([
      undefined,
      'Host "" is not a loopback name',
      'Host "rebound.example:4010" is not a loopback name',
      undefined,
      'Sec-Fetch-Site "Cross-Site" says another site sent it',
      undefined,
      undefined,
      'Origin "http://127.0.0.1:4011" is not the mock\'s own',
      undefined,
    ]);
  });
});
