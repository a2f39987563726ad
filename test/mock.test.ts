// The mock, started in-process on a free port, answering as the vendor does.
import request, { type Response } from "./support/supertest.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { rawRequest } from "./support/raw.ts";
import { messagesPath, startTestMock, type TestMock } from "./support/mock.ts";
import { apiKey, businessNumber, requestExamples, sid, validBody } from "./support/requests.ts";

const schemas = compileContractSchemas();
const responseSchemas = operation().responseSchemaPointers;

let mock: TestMock;
beforeAll(async () => {
  mock = await startTestMock();
});
afterAll(async () => {
  await mock.close();
});

const path = messagesPath(sid, businessNumber);
const post = (target = path) => request(mock.url).post(target).set("api-key", apiKey);

/** The response is the documented one: its status, JSON, and a body valid against that status's schema. */
function expectDocumented(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
  expect(response.body.code).toBe(code);
  expect(schemas.check(responseSchemas[status]!, response.body).errors).toEqual([]);
}

describe("a valid request", () => {
  it.each(Object.keys(requestExamples()))("gets 202 WA202 with a message_id (request example %s)", async (name) => {
    const response = await post().send(requestExamples()[name]!.value);
    expectDocumented(response, 202, "WA202");
    expect(response.body.data.message_id).toMatch(/^\S+$/);
  });

  it("gets a fresh message_id every time", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const response = await post().send(validBody());
      ids.add(response.body.data.message_id);
    }
    expect(ids.size).toBe(50);
  });

  it("is routed with phone_number written with a literal + and with %2B", async () => {
    const literal = await post(messagesPath(sid, businessNumber)).send(validBody());
    const encoded = await post(messagesPath(sid, businessNumber.replace("+", "%2B"))).send(validBody());
    expectDocumented(literal, 202, "WA202");
    expectDocumented(encoded, 202, "WA202");
    expect(mock.lines.some((line) => line.includes(`/whatsapp/${businessNumber}/`))).toBe(true);
    expect(mock.lines.some((line) => line.includes(`/whatsapp/%2B${businessNumber.slice(1)}/`))).toBe(true);
  });

  it("gets JSON whatever Accept says, as from the vendor", async () => {
    const response = await post().set("accept", "text/html").send(validBody());
    expectDocumented(response, 202, "WA202");
  });

  it("is accepted with a charset parameter on the media type", async () => {
    const response = await post().set("content-type", "application/json; charset=utf-8").send(JSON.stringify(validBody()));
    expectDocumented(response, 202, "WA202");
  });
});

describe("an invalid request gets 400 WA400, never a 422 or a 5xx", () => {
  const bodyCases: [string, () => unknown][] = [
    [
      "a caption of 1025 characters",
      () => {
        const b = validBody();
        b.messaging_object.video.caption = "x".repeat(1025);
        return b;
      },
    ],
    ["a ref of 256 characters", () => ({ ...validBody(), extra_info: { ref: "r".repeat(256) } })],
    [
      "both id and link",
      () => {
        const b = validBody();
        b.messaging_object.video.link = "https://example.org/v.mp4";
        return b;
      },
    ],
    [
      "neither id nor link",
      () => {
        const b = validBody();
        b.messaging_object.video = { caption: "c" };
        return b;
      },
    ],
    [
      "a link that is not a URL",
      () => {
        const b = validBody();
        b.messaging_object.video = { link: "video.mp4" };
        return b;
      },
    ],
    [
      "messaging_product sms",
      () => {
        const b = validBody();
        b.messaging_object.messaging_product = "sms";
        return b;
      },
    ],
    [
      "recipient_type group",
      () => {
        const b = validBody();
        b.messaging_object.recipient_type = "group";
        return b;
      },
    ],
    [
      "type Video (as the vendor's page writes it)",
      () => {
        const b = validBody();
        b.messaging_object.type = "Video";
        return b;
      },
    ],
    [
      "to without a +",
      () => {
        const b = validBody();
        b.messaging_object.to = "919876543210";
        return b;
      },
    ],
    [
      "to missing",
      () => {
        const b = validBody();
        delete b.messaging_object.to;
        return b;
      },
    ],
    ["messaging_object missing", () => ({ extra_info: { ref: "x" } })],
    ["the message not wrapped in messaging_object", () => validBody().messaging_object],
    [
      "a caption that is a number",
      () => {
        const b = validBody();
        b.messaging_object.video.caption = 42;
        return b;
      },
    ],
    ["a JSON array", () => [validBody()]],
  ];

  it.each(bodyCases)("%s", async (_name, body) => {
    const response = await post().send(body() as object);
    expectDocumented(response, 400, "WA400");
    expect(response.body.error).toEqual({ payload: "Incorrect payload format" });
  });

  const rawCases: [string, string | Buffer, string][] = [
    ["malformed JSON", '{"messaging_object": {', "application/json"],
    ["an empty body", "", "application/json"],
    ["the JSON literal null", "null", "application/json"],
    ["a JSON string", '"hello"', "application/json"],
    ["valid JSON sent as text/plain", JSON.stringify(validBody()), "text/plain"],
    ["valid JSON as application/vnd.api+json", JSON.stringify(validBody()), "application/vnd.api+json"],
    ["a form body", "messaging_object=1", "application/x-www-form-urlencoded"],
    ["bytes that are not UTF-8", Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), "application/json"],
  ];

  it.each(rawCases)("%s", async (_name, payload, contentType) => {
    const response = await post().set("content-type", contentType).send(payload);
    expectDocumented(response, 400, "WA400");
  });

  it("valid JSON with no Content-Type at all", async () => {
    const response = await rawRequest(mock.url, {
      method: "POST",
      path,
      headers: { "api-key": apiKey },
      body: JSON.stringify(validBody()),
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toMatchObject({ code: "WA400" });
  });

  it("a phone_number that is not E.164, such as the page's redacted sample", async () => {
    const response = await post(messagesPath(sid, "+91863XXX5920")).send(validBody());
    expectDocumented(response, 400, "WA400");
  });

  it("a body over the mock's 1 MiB limit, and the connection is closed", async () => {
    const body = validBody();
    body.messaging_object.video.caption = "x".repeat(1024 * 1024);
    const response = await post().send(body);
    expectDocumented(response, 400, "WA400");
    expect(response.headers.connection).toBe("close");
  });

  it("logs why, so whoever runs the mock can see it", async () => {
    const body = validBody();
    body.messaging_object.video.caption = "x".repeat(1025);
    await post().send(body);
    expect(mock.lines.at(-1)).toMatch(/400 WA400 .*caption must NOT have more than 1024 characters/);
  });
});

describe("credentials", () => {
  it("a request without api-key gets 401 RBC001", async () => {
    const response = await request(mock.url).post(path).send(validBody());
    expectDocumented(response, 401, "RBC001");
    expect(response.body.data).toEqual([]);
  });

  it("an empty api-key counts as missing", async () => {
    const response = await request(mock.url).post(path).set("api-key", "").send(validBody());
    expectDocumented(response, 401, "RBC001");
  });

  it("a missing key is answered before the payload is looked at", async () => {
    const response = await request(mock.url).post(path).set("content-type", "application/json").send("{not json");
    expectDocumented(response, 401, "RBC001");
  });

  it("the api-key never appears in the log", async () => {
    await post().send(validBody());
    expect(mock.lines.join("")).not.toContain(apiKey);
  });
});

describe("every documented response can be asked for with Prefer", () => {
  it.each(operation().examples.map((example) => [example.name, example.status, example] as const))(
    "Prefer: code=…, example=%s gives status %i with that example",
    async (name, status, example) => {
      const response = await post().set("prefer", `code=${status}, example=${name}`).send(validBody());
      const expected = example.value as { code: string };
      expectDocumented(response, status, expected.code);
      if (status === 202) expect(response.body.data.message_id).not.toBe((expected as unknown as { data: { message_id: string } }).data.message_id);
      else expect(response.body).toEqual(expected);
    },
  );

  it("Prefer: example=… alone finds its status", async () => {
    const response = await post().set("prefer", "example=low-balance").send(validBody());
    expectDocumented(response, 400, "E110");
  });

  it("an invalid payload still gets WA400 when a success is preferred", async () => {
    const response = await post().set("prefer", "code=202").send({});
    expectDocumented(response, 400, "WA400");
  });

  it.each([
    ["code=404", /code=404 is not a documented status; use one of 202, 400, 401, 500/],
    ["code=401, example=nope", /example=nope is not a named example of status 401; use one of incorrect-sid-or-api-key/],
    ["code=400, example=accepted", /example=accepted is not a named example of status 400/],
    ["code=abc", /code=abc is not a documented status/],
  ])("a Prefer of %s gets a clear WA400, not an engine error", async (prefer, message) => {
    const response = await post().set("prefer", prefer).send(validBody());
    expectDocumented(response, 400, "WA400");
    expect(response.body.error.prefer).toMatch(message);
  });
});

describe("hostile input gets a 4xx, never a 5xx", () => {
  it.each([
    ["a malformed escape in sid", messagesPath("%E0%A4%A", businessNumber)],
    ["a malformed escape in phone_number", messagesPath(sid, "%ZZ")],
  ])("%s gets 400 WA400", async (_name, target) => {
    const response = await rawRequest(mock.url, {
      method: "POST",
      path: target,
      headers: { "api-key": apiKey, "content-type": "application/json" },
      body: JSON.stringify(validBody()),
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).code).toBe("WA400");
  });

  it("a malformed escape outside the operation gets a 400 problem", async () => {
    const response = await rawRequest(mock.url, { method: "GET", path: "/%E0%A4%A" });
    expect(response.status).toBe(400);
  });

  it.each([";;;", "application/", "/json", "json", "application/json-seq"])("a Content-Type of %j gets 400 WA400", async (contentType) => {
    const response = await post().set("content-type", contentType).send(JSON.stringify(validBody()));
    expectDocumented(response, 400, "WA400");
  });

  it("junk parameters after application/json are ignored: the media type is what counts", async () => {
    const response = await post().set("content-type", "application/json; =; ;").send(JSON.stringify(validBody()));
    expectDocumented(response, 202, "WA202");
  });

  it("a header block over Node's limit gets 431", async () => {
    const response = await rawRequest(mock.url, { method: "POST", path, headers: { "api-key": apiKey, "x-big": "a".repeat(20_000) }, body: "{}" });
    expect(response.status).toBe(431);
  });

  it("deeply nested JSON gets 400 WA400", async () => {
    const depth = 100_000;
    const response = await post()
      .set("content-type", "application/json")
      .send("[".repeat(depth) + "]".repeat(depth));
    expectDocumented(response, 400, "WA400");
  });
});

describe("outside the operation", () => {
  it("another method on the path gets 405 with Allow: POST", async () => {
    const response = await request(mock.url).get(path).set("api-key", apiKey);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe("POST");
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });

  it("an unknown path gets 404", async () => {
    const response = await request(mock.url).post("/v2/x/whatsapp/+911234567/media").set("api-key", apiKey).send({});
    expect(response.status).toBe(404);
    expect(response.body.title).toMatch(/no path matched/);
  });

  it("a method Prism has never heard of gets 405, not a crash", async () => {
    const response = await request(mock.url).search(path);
    expect(response.status).toBe(405);
  });
});
