// The client against the mock, through a gate that checks every request it sends against the
// contract on the server side.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createKaleyraClient,
  isKaleyraError,
  KaleyraApiError,
  KaleyraValidationError,
  podUrls,
  type KaleyraClient,
  type Pod,
  type SendVideoInput,
} from "../src/client/index.ts";
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
