// The mock's admin API (openapi/kaleyra-mock-admin.yaml): the journal, scenarios, and refusals of
// bad admin input. Every admin answer is checked against the admin contract's own schemas.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadAdminDocument } from "../src/contract/document.ts";
import { operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { secretForms } from "../src/http/secrets.ts";
import { journalBodyLimitBytes } from "../src/mock/admin/journal.ts";
import { maxScenarios } from "../src/mock/admin/scenarios.ts";
import { adminBodyLimitBytes } from "../src/mock/admin/api.ts";
import { startTestMock, messagesPath, type TestMock } from "./support/mock.ts";
import { rawRequest, type RawResponse } from "./support/raw.ts";
import { apiKey, businessNumber, sid, validBody } from "./support/requests.ts";

const adminSchemas = compileContractSchemas(loadAdminDocument());
const schema = (name: string) => `#/components/schemas/${name}`;
const exampleNames = operation().examples.map((example) => example.name);

function json(response: RawResponse): any {
  return JSON.parse(response.text);
}

/** An admin call; the answer must be what the admin contract says (body schema and media type). */
async function admin(mock: TestMock, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawResponse & { body: any }> {
  const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const response = await rawRequest(mock.url, {
    method,
    path,
    headers: { ...(text === undefined ? {} : { "content-type": "application/json" }), ...headers },
    ...(text === undefined ? {} : { body: text }),
  });
  const parsed = response.text ? JSON.parse(response.text) : undefined;
  if (response.status >= 400) {
    expect(response.headers["content-type"]).toBe("application/problem+json");
    expect(adminSchemas.issues(schema("Problem"), parsed)).toEqual([]);
  }
  return { ...response, body: parsed };
}

function send(
  mock: TestMock,
  to: string,
  options: { key?: string | undefined; headers?: Record<string, string>; body?: string; path?: string } = {},
): Promise<RawResponse> {
  const body = validBody();
  body.messaging_object.to = to;
  const key = "key" in options ? options.key : apiKey;
  return rawRequest(mock.url, {
    method: "POST",
    path: options.path ?? messagesPath(sid, businessNumber),
    headers: { "content-type": "application/json", ...(key === undefined ? {} : { "api-key": key }), ...options.headers },
    body: options.body ?? JSON.stringify(body),
  });
}

async function journal(mock: TestMock, query = ""): Promise<any> {
  const answer = await admin(mock, "GET", `/__admin/requests${query}`);
  expect(answer.status).toBe(200);
  expect(adminSchemas.issues(schema("Journal"), answer.body)).toEqual([]);
  return answer.body;
}

describe("the journal", () => {
  let mock: TestMock;
  beforeAll(async () => {
    mock = await startTestMock({ apiKey });
  });
  afterAll(() => mock.close());
  afterEach(async () => {
    expect((await admin(mock, "POST", "/__admin/reset")).status).toBe(204);
  });

  it("keeps each request oldest first, with what the mock answered, the key masked and admin calls left out", async () => {
    await send(mock, "+919876543210");
    await send(mock, "+919876543211", { key: "wrong-key-0000" });
    await send(mock, "+919876543212", { key: undefined });
    const { requests, dropped } = await journal(mock);
    expect(dropped).toBe(0);
    expect(requests.map((entry: any) => [entry.body.messaging_object.to, entry.response.status, entry.response.code])).toEqual([
      ["+919876543210", 202, "WA202"],
      ["+919876543211", 401, "RBC001"],
      ["+919876543212", 401, "RBC001"],
    ]);
    const [first] = requests;
    expect(first.method).toBe("POST");
    expect(first.path).toBe(messagesPath(sid, businessNumber));
    expect(first.headers["api-key"]).toBe("***");
    expect(first.headers["content-type"]).toBe("application/json");
    expect(first.response.messageId).toMatch(/^[A-Z0-9]+$/);
    expect(first.response).toMatchObject({ fault: null, scenario: null, delayMs: 0 });
    expect(requests[1].response.messageId).toBeNull();
    expect(Date.parse(first.receivedAt)).toBeLessThanOrEqual(Date.parse(requests[2].receivedAt));
    // ids are unique and ascending
    expect(new Set(requests.map((entry: any) => entry.id)).size).toBe(3);
    expect(requests.map((entry: any) => Number(entry.id))).toEqual([...requests.map((entry: any) => Number(entry.id))].sort((a, b) => a - b));
  });

  it("masks the key wherever a request carried it: headers, path, query and body, in every form", async () => {
    const theirs = "their-own-key-98765";
    // The account's key is masked whatever key a request carries; a request's own key in its own entry.
    const sent = [
      ...secretForms(apiKey).flatMap(
        (form) =>
          [
            [form, apiKey],
            [form, theirs],
          ] as const,
      ),
      ...secretForms(theirs).map((form) => [form, theirs] as const),
    ];
    for (const [form, key] of sent) {
      const body = validBody();
      body.messaging_object.video.caption = `key ${form}`;
      await send(mock, "+919876543210", {
        key,
        headers: { "x-echo": form },
        path: `${messagesPath(sid, businessNumber)}?k=${encodeURIComponent(form)}`,
        body: JSON.stringify(body),
      });
    }
    const text = JSON.stringify(await journal(mock));
    for (const form of [...secretForms(apiKey), ...secretForms(theirs)]) expect(text).not.toContain(form);
    expect(text).toContain("***");
  });

  it("keeps bodies as parsed JSON, as text when not JSON, null when empty, and cuts them at 64 KiB", async () => {
    const base = JSON.stringify(validBody());
    const padded = (size: number) => `${base}${" ".repeat(size - Buffer.byteLength(base))}`;
    await send(mock, "x", { body: "not json" });
    await send(mock, "x", { body: "" });
    await send(mock, "x", { body: padded(journalBodyLimitBytes) });
    await send(mock, "x", { body: padded(journalBodyLimitBytes + 1) });
    const { requests } = await journal(mock);
    expect(
      requests.map((entry: any) => [typeof entry.body === "string" ? `text ${entry.body.length}` : entry.body === null ? null : "json", entry.bodyTruncated]),
    ).toEqual([
      ["text 8", false],
      [null, false],
      ["json", false],
      [`text ${journalBodyLimitBytes}`, true],
    ]);
    expect(requests[0].body).toBe("not json");
    expect(requests[2].body).toEqual(validBody());
  });

  it("filters by recipient, code, status, SID and business number, alone and together", async () => {
    const other = messagesPath("HXOTHER1", "+14155550123");
    await send(mock, "+911111111111");
    await send(mock, "+922222222222", { key: "wrong-key-0000" });
    await send(mock, "+911111111111", { path: other });
    await send(mock, "+12025550102"); // a test recipient: low balance, E110
    const tos = async (query: string) =>
      (await journal(mock, query)).requests.map((entry: any) => `${entry.body.messaging_object.to} ${entry.response.status}`);
    expect(await tos("?to=%2B911111111111")).toEqual(["+911111111111 202", "+911111111111 202"]);
    expect(await tos("?code=RBC001")).toEqual(["+922222222222 401"]);
    expect(await tos("?code=E110")).toEqual(["+12025550102 400"]);
    expect(await tos("?status=202")).toEqual(["+911111111111 202", "+911111111111 202"]);
    expect(await tos("?sid=HXOTHER1")).toEqual(["+911111111111 202"]);
    expect(await tos(`?phoneNumber=${encodeURIComponent("+14155550123")}`)).toEqual(["+911111111111 202"]);
    expect(await tos(`?to=%2B911111111111&sid=${sid}`)).toEqual(["+911111111111 202"]);
    expect(await tos("?code=WA999")).toEqual([]);
  });

  it("journals requests to other paths too, and clears on DELETE", async () => {
    await rawRequest(mock.url, { method: "GET", path: "/nowhere" });
    await send(mock, "+919876543210");
    expect((await journal(mock)).requests.map((entry: any) => [entry.method, entry.path, entry.response.status])).toEqual([
      ["GET", "/nowhere", 404],
      ["POST", messagesPath(sid, businessNumber), 202],
    ]);
    expect((await admin(mock, "DELETE", "/__admin/requests")).status).toBe(204);
    expect(await journal(mock)).toEqual({ requests: [], dropped: 0 });
  });
});

describe("the journal's bound", () => {
  it("keeps the last KALEYRA_MOCK_JOURNAL_LIMIT requests: at the limit nothing is dropped, one past drops the oldest", async () => {
    const mock = await startTestMock({}, "fast", { journalLimit: 3 });
    try {
      for (const to of ["+911000000001", "+911000000002", "+911000000003"]) await send(mock, to);
      const atLimit = await journal(mock);
      expect(atLimit.dropped).toBe(0);
      expect(atLimit.requests.map((entry: any) => entry.body.messaging_object.to)).toEqual(["+911000000001", "+911000000002", "+911000000003"]);
      await send(mock, "+911000000004");
      const past = await journal(mock);
      expect(past.dropped).toBe(1);
      expect(past.requests.map((entry: any) => entry.body.messaging_object.to)).toEqual(["+911000000002", "+911000000003", "+911000000004"]);
    } finally {
      await mock.close();
    }
  });

  it("is off at 0: the journal stays empty and the mock still answers", async () => {
    const mock = await startTestMock({}, "fast", { journalLimit: 0 });
    try {
      expect((await send(mock, "+919876543210")).status).toBe(202);
      expect(await journal(mock)).toEqual({ requests: [], dropped: 0 });
    } finally {
      await mock.close();
    }
  });
});

describe("scenarios", () => {
  let mock: TestMock;
  beforeAll(async () => {
    mock = await startTestMock({ apiKey, sid, phoneNumbers: [businessNumber, "+14155550123"] });
  });
  afterAll(() => mock.close());
  afterEach(async () => {
    await admin(mock, "POST", "/__admin/reset");
  });

  const add = async (scenario: unknown) => {
    const answer = await admin(mock, "POST", "/__admin/scenarios", scenario);
    expect(answer.status).toBe(201);
    expect(adminSchemas.issues(schema("ScenarioCreated"), answer.body)).toEqual([]);
    return answer.body.id as string;
  };

  it.each(operation().examples.map((example) => [example.name, example] as const))(
    "answer with the named example %s: its exact status and body",
    async (name, example) => {
      await add({ match: { to: "+919876543210" }, respond: { example: name } });
      const answer = await send(mock, "+919876543210");
      expect(answer.status).toBe(example.status);
      const body = json(answer);
      if (example.status === 202) {
        const value = example.value as { data: { message_id: string } };
        expect(body).toEqual({ ...value, data: { ...value.data, message_id: body.data.message_id } });
        expect(body.data.message_id).not.toBe(value.data.message_id);
        expect(json(await send(mock, "+919876543210")).data.message_id).not.toBe(body.data.message_id);
      } else {
        expect(body).toEqual(example.value);
      }
      const [entry] = (await journal(mock)).requests;
      expect(entry.response.scenario).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  it("apply `times` times, then the normal rules; and are listed with their count until then", async () => {
    const id = await add({ match: { to: "+919876543210" }, respond: { example: "low-balance" }, times: 2 });
    expect((await send(mock, "+919876543210")).status).toBe(400);
    const listed = await admin(mock, "GET", "/__admin/scenarios");
    expect(adminSchemas.issues(schema("Scenarios"), listed.body)).toEqual([]);
    expect(listed.body.scenarios).toEqual([{ id, match: { to: "+919876543210" }, respond: { example: "low-balance" }, delayMs: 0, times: 2, matched: 1 }]);
    expect((await send(mock, "+919876543210")).status).toBe(400);
    expect((await send(mock, "+919876543210")).status).toBe(202);
    expect((await admin(mock, "GET", "/__admin/scenarios")).body.scenarios).toEqual([]);
  });

  it("match on every field given, by SID, business number and recipient; an empty match matches all", async () => {
    await add({ match: { to: "+919876543210", phoneNumber: "+14155550123" }, respond: { example: "internal-error" } });
    expect((await send(mock, "+919876543210")).status).toBe(202); // other business number
    expect((await send(mock, "+919876543210", { path: messagesPath(sid, "+14155550123") })).status).toBe(500);
    expect((await send(mock, "+919876543210", { path: messagesPath(sid, "%2B14155550123") })).status).toBe(500); // percent-decoded
    await admin(mock, "DELETE", "/__admin/scenarios");
    await add({ match: {}, respond: { example: "account-not-enabled" } });
    expect(json(await send(mock, "+911234567890")).code).toBe("WA-401");
  });

  it("are tried oldest first, and removed one by one or all at once", async () => {
    const first = await add({ match: {}, respond: { example: "low-balance" } });
    await add({ match: {}, respond: { example: "internal-error" } });
    expect((await send(mock, "+919876543210")).status).toBe(400);
    expect((await admin(mock, "DELETE", `/__admin/scenarios/${first}`)).status).toBe(204);
    expect((await send(mock, "+919876543210")).status).toBe(500);
    const again = await admin(mock, "DELETE", `/__admin/scenarios/${first}`);
    expect([again.status, again.body.detail]).toEqual([404, `No active scenario has the id "${first}".`]);
    expect((await admin(mock, "DELETE", "/__admin/scenarios")).status).toBe(204);
    expect((await send(mock, "+919876543210")).status).toBe(202);
  });

  it("never override the account's checks or the contract's refusals, and win over Prefer", async () => {
    await add({ match: {}, respond: { example: "low-balance" } });
    expect(json(await send(mock, "+919876543210", { key: "wrong-key-0000" })).code).toBe("RBC001");
    expect(json(await send(mock, "+919876543210", { key: undefined })).code).toBe("RBC001");
    expect(json(await send(mock, "+919876543210", { path: messagesPath(sid, "+19995550000") })).code).toBe("WA401");
    const invalid = validBody();
    invalid.messaging_object.video = { id: "1", link: "https://example.org/v.mp4" };
    const refused = await send(mock, "+919876543210", { body: JSON.stringify(invalid) });
    expect([refused.status, json(refused).code]).toEqual([400, "WA400"]);
    expect(json(refused).error).not.toHaveProperty("balance");
    expect(json(await send(mock, "+919876543210", { headers: { prefer: "code=500" } })).code).toBe("E110");
    // Only the one valid request counted against the scenario; the refused ones did not.
    expect((await admin(mock, "GET", "/__admin/scenarios")).body.scenarios[0].matched).toBe(1);
  });

  it(`keep at most ${maxScenarios()}: at the limit one more is refused with 409, and the vendor path keeps serving`, async () => {
    for (let i = 0; i < maxScenarios(); i++) await add({ match: { to: `+9180000${String(i).padStart(5, "0")}` }, respond: { example: "low-balance" } });
    const past = await admin(mock, "POST", "/__admin/scenarios", { match: {}, respond: { example: "low-balance" } });
    expect([past.status, past.body.title, past.body.detail]).toEqual([
      409,
      "Conflict",
      `The mock keeps at most ${maxScenarios()} scenarios; remove some first.`,
    ]);
    expect((await admin(mock, "GET", "/__admin/scenarios")).body.scenarios).toHaveLength(maxScenarios());
    expect((await send(mock, "+919876543210")).status).toBe(202);
  });
});

describe("bad admin input", () => {
  let mock: TestMock;
  beforeAll(async () => {
    mock = await startTestMock();
  });
  afterAll(() => mock.close());

  const refused = async (body: unknown, headers: Record<string, string> = {}) => {
    const answer = await admin(mock, "POST", "/__admin/scenarios", body, headers);
    expect(answer.status).toBe(400);
    return answer.body.errors as { field: string; message: string }[];
  };

  it("names each field at fault, and for names the ones that exist", async () => {
    expect(await refused({ match: {}, respond: { example: "no-such-answer" } })).toEqual([
      { field: "respond.example", message: `"no-such-answer" is not a named example of the contract; use one of ${exampleNames.join(", ")}` },
    ]);
    const faults = (loadAdminDocument().components.schemas.Fault as { enum: string[] }).enum;
    expect(await refused({ match: {}, respond: { fault: "explode" } })).toEqual([
      { field: "respond.fault", message: `must be one of ${faults.map((f) => JSON.stringify(f)).join(", ")}` },
    ]);
    expect(await refused({ match: {}, respond: { example: "low-balance" }, delayMs: -1 })).toEqual([{ field: "delayMs", message: "must be >= 0" }]);
    expect(await refused({ match: {}, respond: { example: "low-balance" }, delayMs: 600_001 })).toEqual([{ field: "delayMs", message: "must be <= 600000" }]);
    expect(await refused({ match: {}, respond: { example: "low-balance" }, times: 0 })).toEqual([{ field: "times", message: "must be >= 1" }]);
    expect(await refused({ match: {}, respond: { example: "low-balance" }, colour: "red" })).toEqual([{ field: "colour", message: "is not allowed here" }]);
    expect(await refused({ match: { recipient: "+91" }, respond: { example: "low-balance" } })).toEqual([
      { field: "match.recipient", message: "is not allowed here" },
    ]);
    expect(await refused({ respond: { example: "low-balance" } })).toEqual([{ field: "match", message: "is required" }]);
    expect((await refused({ match: {}, respond: { example: "low-balance", fault: "no-response" } })).map((error) => error.field)).toEqual(["respond"]);
    expect(await refused("{not json")).toEqual([{ field: "body", message: expect.stringMatching(/^is not JSON: /) }]);
    expect(await refused("")).toEqual([{ field: "body", message: "is required: a JSON object" }]);
    expect(await refused(JSON.stringify({ match: {}, respond: { example: "low-balance" } }), { "content-type": "text/plain" })).toEqual([
      { field: "content-type", message: 'must be application/json, not "text/plain"' },
    ]);
    expect(await refused([])).toEqual([{ field: "body", message: "must be object" }]);
  });

  it("accepts the largest delay and the body at its limit; one past either is refused", async () => {
    expect(
      (await admin(mock, "POST", "/__admin/scenarios", { match: { to: "+919876543210" }, respond: { example: "low-balance" }, delayMs: 600_000 })).status,
    ).toBe(201);
    const scenario = JSON.stringify({ match: { to: "+919876543210" }, respond: { example: "low-balance" } });
    const padded = (size: number) => `${scenario}${" ".repeat(size - scenario.length)}`;
    expect((await admin(mock, "POST", "/__admin/scenarios", padded(adminBodyLimitBytes))).status).toBe(201);
    expect((await admin(mock, "POST", "/__admin/scenarios", padded(adminBodyLimitBytes + 1))).status).toBe(413);
    await admin(mock, "POST", "/__admin/reset");
  });

  it("answers unknown paths 404, other methods 405 with Allow, and unknown or repeated query parameters 400", async () => {
    expect((await admin(mock, "GET", "/__admin/nothing")).status).toBe(404);
    const wrongMethod = await admin(mock, "PUT", "/__admin/requests");
    expect([wrongMethod.status, wrongMethod.headers.allow]).toEqual([405, "GET, DELETE"]);
    expect((await admin(mock, "GET", "/__admin/requests?colour=red")).body.errors).toEqual([
      { field: "colour", message: "is not a query parameter of this path; use to, code, status, sid, phoneNumber" },
    ]);
    expect((await admin(mock, "GET", "/__admin/requests?to=a&to=b")).body.errors).toEqual([{ field: "to", message: "is given more than once" }]);
    expect((await admin(mock, "GET", "/__admin/requests?status=abc")).body.errors).toEqual([{ field: "status", message: "must be integer" }]);
    expect((await admin(mock, "GET", "/__admin/requests?status=600")).body.errors).toEqual([{ field: "status", message: "must be <= 599" }]);
    expect((await admin(mock, "GET", "/__admin/identity")).body.errors).toEqual([{ field: "nonce", message: "is required" }]);
    expect((await admin(mock, "DELETE", "/__admin/scenarios/%E0%A4%A")).body.errors).toEqual([{ field: "path", message: "has a malformed percent-escape" }]);
    // Every field's problem in the detail, in the query's order, and in the errors.
    const two = await admin(mock, "GET", "/__admin/requests?status=abc&colour=red");
    expect([two.body.detail, two.body.errors.map((error: { field: string }) => error.field)]).toEqual([
      "status: must be integer; colour: is not a query parameter of this path; use to, code, status, sid, phoneNumber",
      ["status", "colour"],
    ]);
    // A body that is not UTF-8 is not JSON, even where the bad byte sits inside a string.
    const latin = await rawRequest(mock.url, {
      method: "POST",
      path: "/__admin/scenarios",
      headers: { "content-type": "application/json" },
      body: Buffer.concat([Buffer.from('{"match":{},"respond":{"example":"'), Buffer.from([0xff]), Buffer.from('"}}')]),
    });
    expect([latin.status, JSON.parse(latin.text).errors]).toEqual([400, [{ field: "body", message: "is not JSON: it is not valid UTF-8" }]]);
    // The callback URL's body is checked against its schema before its URL is.
    expect((await admin(mock, "PUT", "/__admin/callbacks", { url: 5 })).body.errors).toEqual([{ field: "url", message: "must be string,null" }]);
    // None of it stopped the vendor path, and none of it was journaled.
    expect((await send(mock, "+919876543210")).status).toBe(202);
    expect((await journal(mock)).requests).toHaveLength(1);
  });
});

describe("the admin token", () => {
  const token = "admin-token-7f3a9c";
  let mock: TestMock;
  beforeAll(async () => {
    mock = await startTestMock({ apiKey }, "fast", { adminToken: token });
  });
  afterAll(() => mock.close());

  it("is required wherever it is set: without it every admin path gets the same 401 and learns nothing", async () => {
    const answers = await Promise.all(
      ["/__admin/requests", "/__admin/nothing", "/__admin/identity?nonce=0123456789abcdef0123456789abcdef"].flatMap((path) =>
        [{}, { authorization: "Bearer wrong-token-000" }, { authorization: token }, { authorization: `Basic ${token}` }].map((headers) =>
          admin(mock, "GET", path, undefined, headers),
        ),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.headers["www-authenticate"]).toBe('Bearer realm="kaleyra-mock-admin"');
      expect(answer.body).toEqual(answers[0]!.body);
    }
    expect(answers[0]!.body).toEqual({ type: "about:blank", title: "Unauthorized", status: 401, detail: "This admin API needs its token.", errors: [] });
    expect((await admin(mock, "GET", "/__admin/requests", undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await admin(mock, "GET", "/__admin/requests", undefined, { authorization: `bearer  ${token} ` })).status).toBe(200);
  });

  it("is masked in the journal and never logged", async () => {
    await send(mock, "+919876543210", { headers: { authorization: `Bearer ${token}`, "x-token": token } });
    const text = (await admin(mock, "GET", "/__admin/requests", undefined, { authorization: `Bearer ${token}` })).text;
    expect(text).not.toContain(token);
    expect(JSON.parse(text).requests[0].headers.authorization).toBe("Bearer ***");
    // mock.close() fails the test if a log line holds the token in any form.
  });
});

describe("the admin API under generated input", () => {
  it("answers every body, query and path with 2xx or a 4xx problem, never a 5xx, and the vendor path keeps serving", async () => {
    const { default: fc } = await import("fast-check");
    const mock = await startTestMock();
    try {
      const scenarioish = fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            match: fc.dictionary(fc.constantFrom("to", "sid", "phoneNumber", "x"), fc.jsonValue()),
            respond: fc.oneof(
              fc.record({ example: fc.oneof(fc.constantFrom(...exampleNames), fc.string()) }),
              fc.record({ fault: fc.string() }),
              fc.jsonValue(),
            ),
            delayMs: fc.oneof(fc.integer(), fc.double(), fc.string()),
            times: fc.jsonValue(),
          },
          { requiredKeys: [] },
        ),
      );
      await fc.assert(
        fc.asyncProperty(
          scenarioish,
          fc.string(),
          fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
          fc.stringMatching(/^[a-z%0-9/._~-]{0,20}$/),
          async (body, query, method, path) => {
            const answers = [
              await admin(mock, "POST", "/__admin/scenarios", JSON.stringify(body)),
              await admin(mock, "GET", `/__admin/requests?${encodeURIComponent(query)}=${encodeURIComponent(query)}`),
              await admin(mock, method, `/__admin/${path}`),
            ];
            for (const answer of answers) expect(answer.status).toBeLessThan(500);
            await admin(mock, "POST", "/__admin/reset");
          },
        ),
        { numRuns: 150, seed: 11 },
      );
      expect((await send(mock, "+919876543210")).status).toBe(202);
    } finally {
      await mock.close();
    }
  }, 60_000);
});

describe("admin answers, whole", () => {
  it("are never cached, and each problem has its title, status and detail", async () => {
    const mock = await startTestMock();
    try {
      const ok = await admin(mock, "GET", "/__admin/scenarios");
      expect([ok.status, ok.headers["content-type"], ok.headers["cache-control"]]).toEqual([200, "application/json", "no-store"]);
      const problems = [
        await admin(mock, "POST", "/__admin/scenarios", "{"),
        await admin(mock, "GET", "/__admin/nowhere"),
        await admin(mock, "PATCH", "/__admin/reset"),
        await admin(mock, "DELETE", "/__admin/scenarios/gone"),
        await admin(mock, "POST", "/__admin/scenarios", "x".repeat(adminBodyLimitBytes + 1)),
      ];
      expect(problems.map((answer) => [answer.status, answer.headers["cache-control"], answer.body.type, answer.body.title, answer.body.status])).toEqual([
        [400, "no-store", "about:blank", "Bad request", 400],
        [404, "no-store", "about:blank", "Not found", 404],
        [405, "no-store", "about:blank", "Method not allowed", 405],
        [404, "no-store", "about:blank", "Not found", 404],
        [413, "no-store", "about:blank", "Payload too large", 413],
      ]);
      expect(problems.map((answer) => answer.body.detail)).toEqual([
        expect.stringMatching(/^body: is not JSON: /),
        "/__admin/nowhere is not a path of the admin API; see its contract (openapi/kaleyra-mock-admin.yaml).",
        "/__admin/reset takes POST.",
        'No active scenario has the id "gone".',
        `The body is larger than ${adminBodyLimitBytes} bytes.`,
      ]);
      expect(problems[4]!.headers.connection).toBe("close");
    } finally {
      await mock.close();
    }
  });
});

describe("the journal of a body past the mock's limit", () => {
  it("keeps that it came, with no body and bodyTruncated, on the operation and elsewhere", async () => {
    const small = await startTestMock({ apiKey }, "fast", { bodyLimitBytes: 100 });
    try {
      expect((await send(small, "x", { body: "y".repeat(101) })).status).toBe(400);
      expect((await send(small, "x", { body: "y".repeat(101), path: "/v2/other" })).status).toBe(413);
      expect((await send(small, "x", { body: "y".repeat(100) })).status).toBe(400);
      const { requests } = await journal(small);
      expect(requests.map((entry: any) => [entry.path, entry.response.status, entry.body, entry.bodyTruncated])).toEqual([
        [messagesPath(sid, businessNumber), 400, null, true],
        ["/v2/other", 413, null, true],
        [messagesPath(sid, businessNumber), 400, "y".repeat(100), false],
      ]);
    } finally {
      await small.close();
    }
  });
});
