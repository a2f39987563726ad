// The fast path and Prism answer alike: the same requests (the conformance plan's examples, limits
// and one-constraint negatives, then generated valid and randomly broken ones) to a mock on each,
// with the same status and code every time, and both bodies valid against the contract; then
// Prefer, other methods and other paths, with the same answer whole.
import fc from "fast-check";
import { createMasker } from "../src/http/secrets.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arbitraryFor } from "../conformance/derive.ts";
import { resolver } from "../src/judge/schema.ts";
import { buildPlan } from "../conformance/plan.ts";
import type { CaseRequest, Observed } from "../src/judge/model.ts";
import { sendCase } from "../conformance/send.ts";
import { curlFor } from "../src/judge/wire.ts";
import { loadDocument } from "../src/contract/document.ts";
import { operation, type NamedExample } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { messagesPath, startTestMock, type TestMock } from "./support/mock.ts";
import { rawRequest, type RawResponse } from "./support/raw.ts";
import { mutated } from "./support/mutate.ts";
import { apiKey, businessNumber, sid, validBody } from "./support/requests.ts";

const seed = Number(process.env.FC_SEED ?? 20261124);
const contract = operation();
const schemas = compileContractSchemas();
let fast: TestMock;
let prism: TestMock;

beforeAll(async () => {
  [fast, prism] = await Promise.all([startTestMock({}, "fast"), startTestMock({}, "prism")]);
});
afterAll(async () => {
  await Promise.all([fast.close(), prism.close()]);
});

const code = (observed: Observed) => (observed.json as { code?: string } | undefined)?.code;

const limits = { timeoutMs: 10_000, maxResponseBytes: 1024 * 1024, mask: createMasker([apiKey]) };

async function agree(request: CaseRequest): Promise<void> {
  const [viaFast, viaPrism] = await Promise.all([sendCase(fast.url, request, apiKey, limits), sendCase(prism.url, request, apiKey, limits)]);
  const context = `fast ${viaFast.status} ${code(viaFast)} vs prism ${viaPrism.status} ${code(viaPrism)}: ${curlFor("http://mock", request)}`;
  expect(viaFast.status, context).toBe(viaPrism.status);
  expect(code(viaFast), context).toBe(code(viaPrism));
  expect(viaFast.headers.allow, context).toBe(viaPrism.headers.allow);
  for (const observed of [viaFast, viaPrism]) {
    const pointer = contract.responseSchemaPointers[observed.status!];
    // Another method on the path gets 405, which the operation does not document.
    if (pointer === undefined) expect([observed.status, request.method], context).toEqual([405, expect.any(String)]);
    else expect(schemas.check(pointer, observed.json).ok, context).toBe(true);
  }
}

describe("the fast path and Prism", () => {
  it("answer the conformance plan alike", async () => {
    const plan = buildPlan({ sid, phoneNumber: businessNumber, to: "+919876543210", allowSend: true, recipientFixed: false, checksKeys: false });
    expect(plan.length).toBeGreaterThan(60);
    for (const testCase of plan) await agree(testCase.request);
  });

  it("answer generated valid and randomly broken requests alike", async () => {
    const doc = loadDocument();
    const valid = arbitraryFor({ $ref: contract.requestSchemaPointer }, resolver(doc));
    const phone = fc.oneof(fc.constant(businessNumber), fc.constantFrom("918630005920", "+91 8630005920", "+0123", "%2B918630005920"));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(valid, mutated(valid)),
        phone,
        fc.constantFrom<CaseRequest["key"]>("account", "account", "account", "none"),
        async (body, phoneNumber, key) => {
          await agree({ sid, phoneNumber, body: JSON.stringify(body), contentType: "application/json", key });
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});

// Beyond the plain case: a Prefer header, another method, another path. The default engine answers
// these from the contract by Prism's rules; Prism answers them itself. Each request goes to both
// and the answers must be the same: status, content-type, Allow, length and body (a success's
// fresh message_id aside).
interface RawCase {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

const operationPath = messagesPath(sid, businessNumber);
const validJson = JSON.stringify(validBody());
const withKey = { "content-type": "application/json", "api-key": apiKey };

/** An answer as a client reads it, a success's message_id replaced by its length (it is fresh each time). */
function answerOf(response: RawResponse) {
  let body: unknown = response.text;
  try {
    body = JSON.parse(response.text) as unknown;
  } catch {
    // Not JSON (HEAD has no body): compared as text.
  }
  const data = (body as { data?: { message_id?: unknown } } | null)?.data;
  if (typeof data?.message_id === "string") body = { ...(body as object), data: { ...data, message_id: `<${data.message_id.length} characters>` } };
  const { "content-type": contentType, allow, "content-length": length } = response.headers;
  return { status: response.status, contentType, allow, length, body };
}

/** The same request to both engines: the same answer, which is returned (Prism's). */
async function agreeOn(request: RawCase): Promise<ReturnType<typeof answerOf>> {
  // The length said: Node's client frames a GET's body by nothing else.
  const framed =
    request.body === undefined
      ? { headers: request.headers ?? {} }
      : { headers: { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) }, body: request.body };
  const send = (url: string) => rawRequest(url, { method: request.method, path: request.path, ...framed });
  const [viaFast, viaPrism] = await Promise.all([send(fast.url), send(prism.url)]);
  const answer = answerOf(viaPrism);
  expect(answerOf(viaFast), `${request.method} ${request.path} ${JSON.stringify(request.headers ?? {})}`).toEqual(answer);
  return answer;
}

/** What a named example is as an answer, its message_id (if any) replaced as answerOf does. */
function documented(example: NamedExample) {
  const data = (example.value as { data?: { message_id?: unknown } }).data;
  const body =
    typeof data?.message_id === "string"
      ? { ...(example.value as object), data: { ...data, message_id: `<${data.message_id.length} characters>` } }
      : example.value;
  return { status: example.status, contentType: "application/json", allow: undefined, length: String(Buffer.byteLength(JSON.stringify(example.value))), body };
}

const problemJson = "application/problem+json";
const httpMethodsBesidePost = ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"];
// Methods Node's parser takes that no HTTP API uses: refused before routing, in either engine.
const otherMethods = ["PROPFIND", "SEARCH", "MKCOL", "LOCK", "PURGE"];

describe("the fast path and Prism, beyond the plain case", () => {
  it("answer `Prefer: code=` with that status's first example in document order, and `example=` with that example", async () => {
    for (const status of contract.statuses) {
      const first = contract.examples.find((example) => example.status === status)!;
      expect(
        await agreeOn({ method: "POST", path: operationPath, headers: { ...withKey, prefer: `code=${status}` }, body: validJson }),
        `code=${status}`,
      ).toEqual(documented(first));
    }
    // A status with more than one example tells the first from any other pick.
    expect(contract.statuses.some((status) => contract.examples.filter((example) => example.status === status).length > 1)).toBe(true);
    for (const example of contract.examples) {
      for (const prefer of [
        `example=${example.name}`,
        `code=${example.status}, example=${example.name}`,
        `Example="${example.name}"; Code=${example.status}`,
      ]) {
        expect(await agreeOn({ method: "POST", path: operationPath, headers: { ...withKey, prefer }, body: validJson }), prefer).toEqual(documented(example));
      }
    }
  });

  it("answer a Prefer that asks for nothing they know (dynamic, respond-async, empty) with the plain case's 202, and JSON whatever Accept says", async () => {
    const accepted = documented(contract.examples.find((example) => example.status === contract.statuses[0])!);
    expect(accepted.status).toBeLessThan(300);
    for (const prefer of ["dynamic=true", "respond-async", "", "wait=5"]) {
      expect(await agreeOn({ method: "POST", path: operationPath, headers: { ...withKey, prefer }, body: validJson }), prefer).toEqual(accepted);
    }
    const lowBalance = contract.examples.find((example) => example.name === "low-balance")!;
    expect(
      await agreeOn({ method: "POST", path: operationPath, headers: { ...withKey, accept: "text/html", prefer: "example=low-balance" }, body: validJson }),
    ).toEqual(documented(lowBalance));
  });

  it("refuse a mismatched code and example, an undocumented code and an unknown example alike, with WA400 naming the choices", async () => {
    const asked: string[] = [];
    for (const status of contract.statuses) {
      for (const example of contract.examples.filter((candidate) => candidate.status !== status)) asked.push(`code=${status}, example=${example.name}`);
    }
    asked.push("code=418", "code=20", "code=2020", "example=nope", "code=202, example=nope");
    for (const prefer of asked) {
      const answer = await agreeOn({ method: "POST", path: operationPath, headers: { ...withKey, prefer }, body: validJson });
      expect([answer.status, (answer.body as { code: string }).code, Object.keys((answer.body as { error: object }).error)], prefer).toEqual([
        400,
        "WA400",
        ["prefer"],
      ]);
    }
  });

  it("apply the contract's refusals whatever Prefer asks: no key, a broken body, another media type", async () => {
    const refused = [
      { headers: { "content-type": "application/json", prefer: "code=202" }, body: validJson, status: 401 },
      { headers: { ...withKey, prefer: "example=low-balance" }, body: "{", status: 400 },
      { headers: { ...withKey, prefer: "code=500" }, body: JSON.stringify({ ...validBody(), messaging_object: {} }), status: 400 },
      { headers: { ...withKey, "content-type": "text/plain", prefer: "code=202" }, body: validJson, status: 400 },
    ];
    for (const { headers, body, status } of refused) {
      expect((await agreeOn({ method: "POST", path: operationPath, headers, body })).status, JSON.stringify(headers)).toBe(status);
    }
  });

  it("answer every other method on the operation's path alike: 405 with Allow: POST, as problem+json", async () => {
    const variants: Pick<RawCase, "headers" | "body">[] = [
      { headers: withKey, body: validJson },
      { headers: {} },
      { headers: { ...withKey, prefer: "code=202" } },
    ];
    for (const method of [...httpMethodsBesidePost, ...otherMethods]) {
      for (const variant of variants) {
        const answer = await agreeOn({ method, path: operationPath, ...variant });
        expect([answer.status, answer.contentType, answer.allow], method).toEqual([405, problemJson, "POST"]);
        // HEAD gets the headers alone.
        if (method === "HEAD") expect(answer.body).toBe("");
        else
          expect((answer.body as { title: string }).title).toBe(otherMethods.includes(method) ? "Method not allowed" : "Route resolved, but no method matched");
      }
    }
  });

  it("answer other paths alike: 404 problem+json (405 for a method no HTTP API uses), a query kept out of the detail", async () => {
    const otherPaths = [
      "/",
      "/x",
      "/v2",
      "/v2/",
      `${operationPath}/`,
      `${operationPath}/x`,
      `/${operationPath}`,
      operationPath.replace("/v2/", "/V2/"),
      operationPath.replace("/messages", "/media"),
      `/x?${new URLSearchParams({ q: "1" })}`,
      "/v2/a/b/whatsapp/+918630005920/messages",
      // A literal fragment is equal to the template's, not one that holds it.
      operationPath.replace("/v2/", "/xv2x/"),
      operationPath.replace("/whatsapp/", "/awhatsapp/"),
    ];
    for (const path of otherPaths) {
      for (const method of ["POST", "GET", "HEAD", "OPTIONS", "DELETE", "PROPFIND"]) {
        const answer = await agreeOn({ method, path, headers: { ...withKey, prefer: "code=202" }, body: validJson });
        expect([answer.status, answer.contentType, answer.allow], `${method} ${path}`).toEqual([method === "PROPFIND" ? 405 : 404, problemJson, undefined]);
        if (method !== "HEAD" && method !== "PROPFIND")
          expect((answer.body as { detail: string }).detail).toBe(`The route ${path.split("?")[0]} hasn't been found in the specification file`);
      }
    }
  });

  it("answer paths Prism's router takes for the operation and the front does not (an empty or percent-encoded fragment) alike", async () => {
    const routed = [
      messagesPath("", businessNumber),
      messagesPath(sid, ""),
      operationPath.replace("/messages", "/%6Dessages"),
      operationPath.replace("/v2/", "/%762/"),
      operationPath.replace("/whatsapp/", "/wh%61tsapp/"),
    ];
    for (const path of routed) {
      const refusals: [Record<string, string>, number][] = [
        [withKey, 400],
        [{ "content-type": "application/json" }, 401],
        [{ "content-type": "application/json", "api-key": "" }, 401],
        [{ ...withKey, prefer: "code=202" }, 400],
      ];
      for (const [headers, status] of refusals)
        expect((await agreeOn({ method: "POST", path, headers, body: validJson })).status, `${path} ${JSON.stringify(headers)}`).toBe(status);
      for (const method of ["GET", "HEAD", "PROPFIND"]) {
        const answer = await agreeOn({ method, path, headers: withKey });
        expect([answer.status, answer.allow], `${method} ${path}`).toEqual([405, "POST"]);
      }
    }
    // The parameters are read as Prism reads them, by the template from the raw path: an empty
    // one is there and empty; a literal written otherwise leaves none. The log says which.
    const reasons = (path: string) =>
      fast.lines.filter((line) => line.startsWith(`POST ${path} → 400 WA400`)).map((line) => line.slice(line.indexOf(" — ") + " — ".length));
    const said = (name: string, value: unknown) =>
      `${schemas
        .issues(contract.pathParameterSchemaPointers[name]!, value)
        .map((issue) => `path ${name} ${issue.message}`)
        .join("; ")}\n`;
    expect(reasons(routed[0]!)).toEqual([said("sid", ""), said("sid", "")]);
    expect(reasons(routed[1]!)).toEqual([said("phone_number", ""), said("phone_number", "")]);
    expect(reasons(routed[2]!)).toEqual([said("sid", undefined), said("sid", undefined)]);
    expect(said("sid", "")).not.toBe(said("sid", undefined));
  });

  it("answer generated paths, methods and Prefer headers alike", async () => {
    const literal = (fragment: string) =>
      fc.constantFrom(
        fragment,
        encodeURIComponent(fragment),
        fragment.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
        fragment.toUpperCase(),
        "x",
      );
    const parameter = fc.constantFrom(sid, businessNumber, "%2B918630005920", "", "a,b", "%20", "HX%2FA");
    const fragments = fc.tuple(literal("v2"), parameter, literal("whatsapp"), parameter, literal("messages"));
    const shape = fc.oneof(
      fragments.map((parts) => `/${parts.join("/")}`),
      fc.tuple(fragments, fc.integer({ min: 0, max: 4 })).map(([parts, cut]) => `/${parts.slice(0, cut).join("/")}`),
      fragments.map((parts) => `/${parts.join("/")}/`),
    );
    const method = fc.constantFrom("POST", "POST", "POST", "GET", "PUT", "DELETE", "HEAD", "OPTIONS", "PROPFIND");
    const prefer = fc.option(
      fc.constantFrom(
        ...contract.statuses.map((status) => `code=${status}`),
        ...contract.examples.map((example) => `example=${example.name}`),
        "code=418",
        "dynamic=true",
      ),
      { nil: undefined },
    );
    const key = fc.constantFrom<Record<string, string>>(withKey, { "content-type": "application/json" });
    await fc.assert(
      fc.asyncProperty(shape, method, prefer, key, async (path, method, prefer, headers) => {
        await agreeOn({ method, path, headers: prefer === undefined ? headers : { ...headers, prefer }, body: validJson });
      }),
      { seed, numRuns: 300 },
    );
  });
});
