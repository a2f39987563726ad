// The client against the mock, through a gate that checks every request it sends against the
// contract on the server side.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createKaleyraClient,
  createMockAdmin,
  isKaleyraError,
  type KaleyraAdminError,
  KaleyraApiError,
  type KaleyraTransportError,
  KaleyraValidationError,
  podUrls,
  type KaleyraClient,
  type Pod,
  type SendVideoInput,
} from "../src/index.ts";
import { loadDocument } from "../src/contract/document.ts";
import { operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { startGate, type Gate } from "./support/gate.ts";
import { startTestMock, type TestMock } from "./support/mock.ts";
import { failure } from "./support/failure.ts";
import { apiKey, businessNumber, sid } from "./support/requests.ts";
import { waitMs } from "./support/wait.ts";

const schemas = compileContractSchemas();
let mock: TestMock;
let gate: Gate;
let client: KaleyraClient;

beforeAll(async () => {
  mock = await startTestMock({ apiKey, sid, phoneNumbers: [businessNumber] });
  gate = await startGate(mock.url);
  client = createKaleyraClient({ baseUrl: gate.url, sid, apiKey, userAgent: "kit-tests/1", timeoutMs: waitMs });
});
afterAll(async () => {
  // Client conformance: everything the client sent in this file was what the contract asks for.
  expect(gate.seen.length).toBeGreaterThan(10);
  expect(gate.seen.flatMap((request) => request.violations)).toEqual([]);
  await gate.close();
  await mock.close();
});

const send: SendVideoInput = { phoneNumber: businessNumber, to: "+919876543210", video: { id: "1166846181421424" } };

/** A client whose requests ask the mock for a documented answer (Prism's Prefer header). */
function preferring(prefer: string): KaleyraClient {
  return createKaleyraClient({
    baseUrl: gate.url,
    sid,
    apiKey,
    fetch: (request) => {
      request.headers.set("prefer", prefer);
      return fetch(request);
    },
  });
}

describe("sendVideo", () => {
  it("sends a video by id and resolves to the message id and the envelope", async () => {
    const result = await client.sendVideo({ ...send, caption: "Splendid festive celebrations" });
    expect(result.messageId).toMatch(/^\S+$/);
    expect(result.envelope.code).toBe("WA202");
    expect(schemas.check(operation().responseSchemaPointers[202]!, result.envelope).ok).toBe(true);
  });

  it("sends a video by link, with extra_info", async () => {
    const result = await client.sendVideo({
      ...send,
      video: { link: "https://www.awesomeview.com/assets/awesome-view.mp4" },
      extraInfo: { ref: "customer1", ref1: "marketing", ref2: "dictionary", wa_source: "api" },
    });
    expect(result.envelope.code).toBe("WA202");
    const sent = JSON.parse(gate.seen.at(-1)!.body);
    expect(sent).toEqual({
      messaging_object: {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: "+919876543210",
        type: "video",
        video: { link: "https://www.awesomeview.com/assets/awesome-view.mp4" },
      },
      extra_info: { ref: "customer1", ref1: "marketing", ref2: "dictionary", wa_source: "api" },
    });
  });

  it("sends as the vendor documents: literal + in the path, api-key, JSON, its user agent", async () => {
    await client.sendVideo(send);
    const seen = gate.seen.at(-1)!;
    expect(seen.method).toBe("POST");
    expect(seen.url).toBe(`/v2/${sid}/whatsapp/${businessNumber}/messages`);
    expect(seen.headers["api-key"]).toBe(apiKey);
    expect(seen.headers["content-type"]).toBe("application/json");
    expect(seen.headers["user-agent"]).toBe("kit-tests/1");
  });

  it("gets a different message id for every send", async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => client.sendVideo(send).then((r) => r.messageId)));
    expect(new Set(ids).size).toBe(20);
  });
});

describe("API errors are KaleyraApiError values, by documented code", () => {
  const failures = operation().examples.filter((example) => example.status >= 400);

  it.each(failures.map((example) => [example.name, example.status, (example.value as { code: string }).code] as const))(
    "%s: status %i, code %s",
    async (name, status, code) => {
      const error = await failure(preferring(`code=${status}, example=${name}`).sendVideo(send));
      expect(error).toBeInstanceOf(KaleyraApiError);
      const apiError = error as KaleyraApiError;
      expect(apiError).toMatchObject({ kind: "api", status, code, documented: true, reason: name });
      expect(apiError.apiMessage).toBe((failures.find((f) => f.name === name)!.value as { message: string }).message);
      expect(Object.keys(apiError.details).length).toBeGreaterThan(0);
    },
  );

  it("tells WA-401's two meanings apart", async () => {
    const notEnabled = (await failure(preferring("example=account-not-enabled").sendVideo(send))) as KaleyraApiError;
    const otherVersion = (await failure(preferring("example=phone-number-other-version").sendVideo(send))) as KaleyraApiError;
    expect([notEnabled.code, otherVersion.code]).toEqual(["WA-401", "WA-401"]);
    expect([notEnabled.reason, otherVersion.reason]).toEqual(["account-not-enabled", "phone-number-other-version"]);
  });

  it("a wrong key is RBC001 and a business number outside the account WA401 (the mock knows its account)", async () => {
    const wrongKey = createKaleyraClient({ baseUrl: gate.url, sid, apiKey: "not-the-key", timeoutMs: waitMs });
    expect(await failure(wrongKey.sendVideo(send))).toMatchObject({ kind: "api", status: 401, code: "RBC001" });
    expect(await failure(client.sendVideo({ ...send, phoneNumber: "+14155550100" }))).toMatchObject({ kind: "api", code: "WA401" });
  });

  it("switching on kind and code reads naturally", async () => {
    const error = await failure(preferring("example=low-balance").sendVideo(send));
    let outcome = "";
    if (isKaleyraError(error)) {
      switch (error.kind) {
        case "api":
          outcome = error.code === "E110" ? "top up" : `api ${error.code}`;
          break;
        case "validation":
          outcome = "fix the input";
          break;
        case "transport":
          outcome = "check later";
          break;
      }
    }
    expect(outcome).toBe("top up");
  });
});

describe("validation before sending", () => {
  const rejected = async (input: SendVideoInput) => {
    const before = gate.seen.length;
    const error = await failure(client.sendVideo(input));
    expect(gate.seen.length, "no request may be sent").toBe(before);
    expect(error).toBeInstanceOf(KaleyraValidationError);
    return (error as KaleyraValidationError).issues;
  };

  it("refuses a caption past 1024 characters, naming the field and the rule", async () => {
    expect(await rejected({ ...send, caption: "x".repeat(1025) })).toEqual([
      { field: "messaging_object.video.caption", rule: "maxLength", message: "must NOT have more than 1024 characters" },
    ]);
  });

  it("sends a caption of exactly 1024 characters", async () => {
    await expect(client.sendVideo({ ...send, caption: "x".repeat(1024) })).resolves.toMatchObject({ envelope: { code: "WA202" } });
  });

  it("refuses id and link together", async () => {
    // @ts-expect-error id and link together: the types forbid it, as the contract's oneOf does
    const both: SendVideoInput = { ...send, video: { id: "1", link: "https://example.org/v.mp4" } };
    // @ts-expect-error neither id nor link
    const neither: SendVideoInput = { ...send, video: {} };
    expect(neither.video).toEqual({});
    const issues = await rejected(both);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ field: "messaging_object.video", rule: "oneOf" });
    expect(issues[0]!.message).toMatch(/Video by media id: messaging_object\.video\.link is not allowed here/);
  });

  it("lists every failing field: the numbers, a reference, the link", async () => {
    const issues = await rejected({
      phoneNumber: "918630005920",
      to: "+91xxxxxxxxx",
      video: { link: "video.mp4" },
      extraInfo: { ref2: "r".repeat(256) },
    });
    expect(issues.map((issue) => [issue.field, issue.rule])).toEqual(
      expect.arrayContaining([
        ["phoneNumber", "pattern"],
        ["messaging_object.to", "pattern"],
        ["extra_info.ref2", "maxLength"],
        ["messaging_object.video.link", expect.stringMatching(/format|pattern/)],
      ]),
    );
  });

  it("refuses a SID the contract does not allow", async () => {
    const badSid = createKaleyraClient({ baseUrl: gate.url, sid: "HX/AP", apiKey, timeoutMs: waitMs });
    await expect(badSid.sendVideo(send)).rejects.toMatchObject({ kind: "validation", issues: [expect.objectContaining({ field: "sid" })] });
  });

  it("prepareVideo shows the exact request with the key masked, and sends nothing", () => {
    const before = gate.seen.length;
    const prepared = client.prepareVideo({ ...send, caption: "hi" });
    expect(gate.seen.length).toBe(before);
    expect(prepared.url).toBe(`${gate.url}/v2/${sid}/whatsapp/${businessNumber}/messages`);
    expect(prepared.headers["api-key"]).toBe("***");
    expect(JSON.stringify(prepared)).not.toContain(apiKey);
    expect(prepared.body.messaging_object.video).toEqual({ id: "1166846181421424", caption: "hi" });
  });
});

describe("createKaleyraClient", () => {
  it("maps each pod to the contract's server", () => {
    const servers = loadDocument().servers.filter((server) => server["x-pod"] !== "mock");
    for (const server of servers) {
      const pod = server["x-pod"] as Pod;
      expect(createKaleyraClient({ pod, sid, apiKey }).baseUrl).toBe(server.url);
    }
    // The Pod type lists exactly the contract's pods.
    const typed: Record<Pod, true> = { in: true, sg: true, eu: true, na: true };
    expect(Object.keys(typed).sort()).toEqual(Object.keys(podUrls()).sort());
  });

  it("refuses plain http off loopback unless told to allow it", () => {
    expect(() => createKaleyraClient({ baseUrl: "http://api.in.kaleyra.io", sid, apiKey })).toThrow(/plain http off loopback/);
    expect(createKaleyraClient({ baseUrl: "http://api.in.kaleyra.io", sid, apiKey, allowInsecureHttp: true }).baseUrl).toBe("http://api.in.kaleyra.io");
    expect(createKaleyraClient({ baseUrl: "http://localhost:4010/", sid, apiKey }).baseUrl).toBe("http://localhost:4010");
    expect(createKaleyraClient({ baseUrl: "http://[::1]:4010", sid, apiKey }).baseUrl).toBe("http://[::1]:4010");
  });

  it("needs exactly one of pod and baseUrl, a known pod, and a key", () => {
    expect(() => createKaleyraClient({ sid, apiKey } as never)).toThrow(/exactly one of `pod` or `baseUrl`/);
    // @ts-expect-error both a pod and a base URL: the types forbid it, and so does the client at run time
    expect(() => createKaleyraClient({ pod: "in", baseUrl: "https://x.example", sid, apiKey })).toThrow(/exactly one/);
    // @ts-expect-error neither
    expect(() => createKaleyraClient({ sid, apiKey })).toThrow(/exactly one of `pod` or `baseUrl`/);
    expect(() => createKaleyraClient({ pod: "us" as Pod, sid, apiKey })).toThrow(/pod "us" is not a pod of the contract; use one of in, sg, eu, na/);
    expect(() => createKaleyraClient({ pod: "in", sid, apiKey: " " })).toThrow(/apiKey must not be blank/);
    expect(() => createKaleyraClient({ baseUrl: "ftp://x", sid, apiKey })).toThrow(/http\(s\)/);
  });

  it("keeps the raw openapi-fetch client for anything the helpers do not cover", async () => {
    const { data, error, response } = await client.raw.POST("/v2/{sid}/whatsapp/{phone_number}/messages", {
      params: { path: { sid, phone_number: businessNumber } },
      body: { messaging_object: { messaging_product: "whatsapp", to: "+919876543210", video: { id: "1" } } },
    });
    expect(response.status).toBe(202);
    expect(error).toBeUndefined();
    expect(data?.data.message_id).toEqual(expect.any(String));
  });
});

describe("the client's refusals and answers, word for word", () => {
  const options = { sid, apiKey, baseUrl: "http://127.0.0.1:4010" };
  const input = { phoneNumber: businessNumber, to: "+919876543210", video: { id: "1" } };
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      const e = error as KaleyraValidationError;
      return { name: e.name, message: e.message, issues: e.issues, request: e.request };
    }
    throw new Error("expected a refusal");
  };
  const optionsLead = "The client's options cannot work, so nothing was sent";
  const noRequest = { method: "POST", url: "" };

  it("names each option that cannot work, with the rule it breaks", () => {
    const cases: [unknown, string, string, string][] = [
      [null, "(options)", "option", "must be an object with sid, apiKey and pod or baseUrl"],
      [5, "(options)", "option", "must be an object with sid, apiKey and pod or baseUrl"],
      [
        Object.defineProperty({}, "sid", {
          get() {
            throw new Error("no");
          },
        }),
        "(options)",
        "option",
        "could not be read (a property threw)",
      ],
      [{ ...options, pod: "in" }, "pod", "option", "give exactly one of `pod` or `baseUrl`"],
      [{ sid, apiKey, pod: 7 }, "pod", "option", '"7" is not a pod of the contract; use one of in, sg, eu, na'],
      [{ sid, apiKey, pod: "x".repeat(60) }, "pod", "option", `"${"x".repeat(39)} is not a pod of the contract; use one of in, sg, eu, na`],
      [{ ...options, apiKey: "a\nbcdef" }, "apiKey", "header-value", "must not contain a line break (CR or LF)"],
      [{ ...options, userAgent: "é" }, "userAgent", "option", "must be printable ASCII"],
      [{ ...options, userAgent: 5 }, "userAgent", "option", "must be printable ASCII"],
      [{ ...options, fetch: 5 }, "fetch", "option", "must be a function"],
      [{ ...options, maxResponseBytes: 0 }, "maxResponseBytes", "option", "must be a whole number from 1 to 1073741824"],
      [{ ...options, timeoutMs: 2 ** 31 }, "timeoutMs", "option", "must be a whole number from 1 to 2147483647"],
      [{ ...options, baseUrl: "http://127.0.0.1:4010/?q" }, "baseUrl", "option", "must not have a query or fragment"],
      [{ ...options, baseUrl: "http://127.0.0.1:4010/#h" }, "baseUrl", "option", "must not have a query or fragment"],
      [{ ...options, baseUrl: "http://127.0.0.1:4010/?" }, "baseUrl", "option", "must not have a query or fragment"],
      [
        { ...options, baseUrl: "http://127.1.2.3.example:4010" },
        "baseUrl",
        "option",
        "uses plain http off loopback, which would send the api-key in clear; use https, or set allowInsecureHttp",
      ],
    ];
    for (const [given, field, rule, message] of cases) {
      expect(
        refusal(() => createKaleyraClient(given as never)),
        JSON.stringify(given),
      ).toEqual({
        name: "KaleyraValidationError",
        message: `${optionsLead}: ${field} ${message}`,
        issues: [{ field, rule, message }],
        request: noRequest,
      });
    }
    // Loopback is any 127.x.y.z, with numbers of any length. (A host that ends in digits is an IPv4
    // address to the URL parser, so 10.127.0.0.1 or 127.a.0.1 never reach the loopback test.)
    for (const baseUrl of ["http://127.10.200.30:4010", "http://127.1.2.3"]) expect(createKaleyraClient({ ...options, baseUrl }).baseUrl).toBe(baseUrl);
  });

  it("names what of the input cannot be read, and builds the video as given, the caption inside it", () => {
    const client = createKaleyraClient(options);
    const unaddressed = { method: "POST", url: "http://127.0.0.1:4010/v2/{sid}/whatsapp/{phone_number}/messages" };
    const lead = "The request breaks the contract, so it was not sent";
    const cases: [unknown, string, string][] = [
      [null, "(input)", "must be an object with phoneNumber, to and video"],
      [7, "(input)", "must be an object with phoneNumber, to and video"],
      [
        Object.defineProperty({}, "to", {
          get() {
            throw new Error("no");
          },
        }),
        "(input)",
        "could not be read as plain data (a property threw, or holds a cycle or a BigInt)",
      ],
      [{ ...input, signal: {} }, "signal", "must be an AbortSignal"],
    ];
    for (const [given, field, message] of cases) {
      expect(refusal(() => client.prepareVideo(given as never))).toEqual({
        name: "KaleyraValidationError",
        message: `${lead}: ${field} ${message}`,
        issues: [{ field, rule: "input", message }],
        request: unaddressed,
      });
    }
    const notAnObject =
      "must be exactly one of Video by media id or Video by link (Video by media id: messaging_object.video must be object; Video by link: messaging_object.video must be object)";
    for (const video of [null, "v"]) {
      expect(refusal(() => client.prepareVideo({ ...input, video, caption: "c" } as never)).issues, JSON.stringify(video)).toEqual([
        { field: "messaging_object.video", rule: "oneOf", message: notAnObject },
      ]);
    }
    // An array is copied as it is, not spread into an object; given a caption, the caption joins it.
    const listed = (video: unknown, caption?: string) =>
      refusal(() => client.prepareVideo({ ...input, video, ...(caption === undefined ? {} : { caption }) } as never)).issues;
    expect(listed(["1"])).toEqual([{ field: "messaging_object.video", rule: "oneOf", message: notAnObject }]);
    expect(listed(["1"], "c")).toEqual([
      {
        field: "messaging_object.video",
        rule: "oneOf",
        message:
          "must be exactly one of Video by media id or Video by link (Video by media id: messaging_object.video.id is required, messaging_object.video.0 is not allowed here; Video by link: messaging_object.video.link is required, messaging_object.video.0 is not allowed here)",
      },
    ]);
    const messaging = { messaging_product: "whatsapp", recipient_type: "individual", to: "+919876543210", type: "video" };
    // toStrictEqual: a key set to undefined (extra_info with none given) is a difference.
    expect(client.prepareVideo({ ...input, caption: "c" })).toStrictEqual({
      method: "POST",
      url: `http://127.0.0.1:4010/v2/${sid}/whatsapp/${businessNumber}/messages`,
      headers: { "api-key": "***", accept: "application/json", "content-type": "application/json" },
      body: { messaging_object: { ...messaging, video: { id: "1", caption: "c" } } },
    });
    expect(client.prepareVideo(input).body).toStrictEqual({ messaging_object: { ...messaging, video: { id: "1" } } });
    // A path parameter not given stays a placeholder in the URL the error names.
    const unnumbered = refusal(() => client.prepareVideo({ to: "+919876543210", video: { id: "1" } } as never));
    expect(unnumbered.request).toEqual({ method: "POST", url: `http://127.0.0.1:4010/v2/${sid}/whatsapp/{phone_number}/messages` });
  });

  it("tells an answer that is not the vendor's envelope apart from the vendor's error, by its words", async () => {
    const answering = (status: number, body: string) =>
      createKaleyraClient({ ...options, fetch: async () => new Response(body, { status, headers: { "content-type": "application/json" } }) });
    const described = async (client: KaleyraClient) => {
      const e = (await failure(client.sendVideo(input))) as KaleyraApiError & { reason: string; bodySnippet: string };
      return { name: e.name, kind: e.kind, message: e.message, status: e.status, bodySnippet: e.bodySnippet, cause: "cause" in e };
    };
    const invalid = (status: number, why: string, bodySnippet: string) => ({
      name: "KaleyraTransportError",
      kind: "transport",
      message: `Answer ${status} is not the vendor's envelope: ${why}`,
      status,
      bodySnippet,
      cause: false,
    });
    const accepted = JSON.stringify({ code: "WA202", message: "ok", data: { message_id: "m" }, error: {} });
    expect(await described(answering(202, ""))).toEqual(invalid(202, "not JSON", ""));
    expect(await described(answering(202, "<html>"))).toEqual(invalid(202, "not JSON", "<html>"));
    expect(await described(answering(200, accepted))).toEqual(invalid(200, "not a documented success", accepted));
    expect(await described(answering(299, accepted))).toEqual(invalid(299, "not a documented success", accepted));
    expect(await described(answering(400, "{}"))).toEqual(invalid(400, "no code, message, data and error", "{}"));
    const api = (await failure(
      answering(401, JSON.stringify({ code: "RBC001", message: "Invalid API key", data: {}, error: { "api-key": "bad" } })).sendVideo(input),
    )) as KaleyraApiError;
    expect([api.name, api.message, api.documented, api.code, "cause" in api]).toEqual([
      "KaleyraApiError",
      "Kaleyra answered 401 RBC001: Invalid API key",
      true,
      "RBC001",
      false,
    ]);
  });

  it("an injected fetch's deadline lets go of the caller's signal once the send is over; a cause is kept only when there is one", async () => {
    const { EventEmitter } = await import("node:events");
    const { KaleyraTransportError } = await import("../src/index.ts");
    const controller = new AbortController();
    const accepted = JSON.stringify({ code: "WA202", message: "ok", data: { message_id: "m" }, error: {} });
    const client = createKaleyraClient({
      ...options,
      fetch: async () => new Response(accepted, { status: 202, headers: { "content-type": "application/json" } }),
    });
    expect((await client.sendVideo({ ...input, signal: controller.signal })).messageId).toBe("m");
    expect(EventEmitter.getEventListeners(controller.signal, "abort")).toEqual([]);
    const request = { method: "POST", url: "u" };
    const withCause = new KaleyraTransportError({ reason: "network", message: "m", request, cause: new Error("below") });
    expect([withCause.name, (withCause.cause as Error).message]).toEqual(["KaleyraTransportError", "below"]);
    expect("cause" in new KaleyraTransportError({ reason: "network", message: "m", request })).toBe(false);
    expect([isKaleyraError(new Error("x")), isKaleyraError({ kind: "api" }), isKaleyraError(withCause)]).toEqual([false, false, true]);
  });
});

describe("the admin client, call by call", () => {
  const base = "http://127.0.0.1:4010";
  /** An admin client whose fetch records each request and answers as told. */
  const recorded = (answer: () => Response, token?: string) => {
    const seen: { method: string; url: string; authorization: string | null; accept: string | null }[] = [];
    const admin = createMockAdmin({
      baseUrl: base,
      ...(token === undefined ? {} : { token }),
      fetch: async (request) => {
        seen.push({ method: request.method, url: request.url, authorization: request.headers.get("authorization"), accept: request.headers.get("accept") });
        return answer();
      },
    });
    return { admin, seen };
  };

  it("each call goes to its own method and path, and a failure names them", async () => {
    const { admin, seen } = recorded(() => new Response("oops", { status: 500 }));
    const calls: [string, string, () => Promise<unknown>][] = [
      ["GET", "/__admin/requests", () => admin.journal()],
      ["GET", "/__admin/requests", () => admin.requests()],
      ["DELETE", "/__admin/requests", () => admin.clearRequests()],
      ["POST", "/__admin/scenarios", () => admin.addScenario({ match: { to: "+919876543210" }, answer: { example: "accepted" } } as never)],
      ["GET", "/__admin/scenarios", () => admin.scenarios()],
      ["DELETE", "/__admin/scenarios/a%20b", () => admin.removeScenario("a b")],
      ["DELETE", "/__admin/scenarios", () => admin.clearScenarios()],
      ["POST", "/__admin/reset", () => admin.reset()],
      ["GET", "/__admin/test-recipients", () => admin.testRecipients()],
      ["GET", "/__admin/identity", () => admin.identity("0123456789abcdef0123456789abcdef")],
    ];
    for (const [method, path, call] of calls) {
      const error = (await failure(call())) as KaleyraTransportError;
      expect([error.name, error.reason, error.status, error.message, error.request], `${method} ${path}`).toEqual([
        "KaleyraTransportError",
        "invalid-response",
        500,
        "Answer 500 is not the admin API's problem",
        { method, url: `${base}${path}` },
      ]);
    }
    expect(seen.map(({ method, url }) => `${method} ${url.replace(/\?.*$/, "")}`)).toEqual(calls.map(([method, path]) => `${method} ${base}${path}`));
    expect(seen.every(({ authorization, accept }) => authorization === null && accept === "application/json")).toBe(true);
  });

  it("a 2xx is the answer; a problem is a KaleyraAdminError; the token goes as a bearer and is masked out of what comes back", async () => {
    const token = "admin-token-98765";
    const ok = recorded(() => new Response(JSON.stringify({ scenarios: [] }), { status: 299, headers: { "content-type": "application/json" } }), token);
    expect(await ok.admin.scenarios()).toEqual([]);
    expect(ok.seen[0]?.authorization).toBe(`Bearer ${token}`);
    const problem = { type: "about:blank", title: "Not found", status: 404, detail: `no scenario ${token}` };
    const refused = recorded(() => new Response(JSON.stringify(problem), { status: 404, headers: { "content-type": "application/problem+json" } }), token);
    const error = (await failure(refused.admin.removeScenario("x"))) as KaleyraAdminError;
    expect([error.name, error.status, error.message, error.problem]).toEqual([
      "KaleyraAdminError",
      404,
      "The mock's admin API answered 404: no scenario ***",
      { ...problem, detail: "no scenario ***", errors: [] },
    ]);
    const odd = recorded(() => new Response(JSON.stringify({ detail: 5 }), { status: 400, headers: { "content-type": "application/json" } }));
    expect(((await failure(odd.admin.reset())) as KaleyraTransportError).reason).toBe("invalid-response");
    const gone = createMockAdmin({ baseUrl: base, fetch: async () => Promise.reject(new TypeError("fetch failed")) });
    const broken = (await failure(gone.reset())) as KaleyraTransportError;
    expect([broken.name, broken.reason, broken.request]).toEqual(["KaleyraTransportError", "network", { method: "POST", url: `${base}/__admin/reset` }]);
  });

  it("refuses options that cannot work, naming them, before anything is sent", () => {
    const refused = (options: unknown) => {
      try {
        createMockAdmin(options as never);
      } catch (error) {
        const e = error as KaleyraValidationError;
        return [e.name, e.message, e.issues, e.request];
      }
      throw new Error("accepted");
    };
    const lead = "The admin client's options cannot work, so nothing was sent";
    for (const [options, field, message] of [
      [null, "(options)", "must be an object with baseUrl"],
      [{ baseUrl: base, fetch: 5 }, "fetch", "must be a function"],
      [{ baseUrl: base, timeoutMs: 0 }, "timeoutMs", "must be a whole number from 1 to 2147483647"],
      [{ baseUrl: base, token: "a\nbcde" }, "token", "must not contain a line break (CR or LF)"],
    ] as const) {
      expect(refused(options), JSON.stringify(options)).toEqual([
        "KaleyraValidationError",
        `${lead}: ${field} ${message}`,
        [{ field, rule: "option", message }],
        { method: "", url: "" },
      ]);
    }
  });
});

describe("a send that never got an answer, in words", () => {
  it("a cancelled send may or may not have been queued; a refused connection names its code", async () => {
    const options = { sid, apiKey, baseUrl: "http://127.0.0.1:9" };
    const input = { phoneNumber: businessNumber, to: "+919876543210", video: { id: "1" } };
    const cancelled = new AbortController();
    cancelled.abort();
    for (const client of [createKaleyraClient(options), createKaleyraClient({ ...options, fetch: (request) => fetch(request) })]) {
      const error = (await failure(client.sendVideo({ ...input, signal: cancelled.signal }))) as KaleyraTransportError;
      expect([error.reason, error.message]).toEqual(["aborted", "The send was cancelled; the message may or may not have been queued"]);
    }
    const refused = (await failure(createKaleyraClient(options).sendVideo(input))) as KaleyraTransportError;
    expect([refused.reason, refused.message]).toEqual(["network", "The request failed before an answer came (ECONNREFUSED)"]);
  });
});

describe("the client at the last edges its mutants found", () => {
  const options = { sid, apiKey, baseUrl: "http://127.0.0.1:4010" };
  const input = { phoneNumber: businessNumber, to: "+919876543210", video: { id: "1" } };

  it("an error answer with no body is not JSON; every issue is in the message, joined", async () => {
    const empty = createKaleyraClient({ ...options, fetch: async () => new Response(null, { status: 400 }) });
    const error = (await failure(empty.sendVideo(input))) as KaleyraTransportError;
    expect([error.reason, error.message, error.bodySnippet]).toEqual(["invalid-response", "Answer 400 is not the vendor's envelope: not JSON", ""]);
    const two = (await failure((async () => empty.prepareVideo({ ...input, to: "1", caption: "x".repeat(1025) }))())) as KaleyraValidationError;
    expect(two.issues.map((issue) => issue.field)).toEqual(["messaging_object.video.caption", "messaging_object.to"]);
    expect(two.message).toBe(`The request breaks the contract, so it was not sent: ${two.issues.map((issue) => `${issue.field} ${issue.message}`).join("; ")}`);
  });

  it("an admin answer of null is not the admin API's problem", async () => {
    const admin = createMockAdmin({
      baseUrl: options.baseUrl,
      fetch: async () => new Response("null", { status: 400, headers: { "content-type": "application/json" } }),
    });
    const error = (await failure(admin.reset())) as KaleyraTransportError;
    expect([error.name, error.reason, error.message]).toEqual(["KaleyraTransportError", "invalid-response", "Answer 400 is not the admin API's problem"]);
  });
});
