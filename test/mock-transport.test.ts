// The mock's answers below the contract, in-process (so a mutation test can see them): a head it
// will not read, a client that breaks the protocol or stalls, a body past the limit, a path it
// cannot decode, another method. Each with its exact status, words and connection handling.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxHeaderLines } from "../src/mock/intake.ts";
import { messagesPath, startTestMock, type TestMock } from "./support/mock.ts";
import { rawRequest } from "./support/raw.ts";
import { apiKey, businessNumber, sid, validBody } from "./support/requests.ts";
import { until, waitMs, within } from "./support/wait.ts";

const bodyLimitBytes = 1_000;
let mock: TestMock;
beforeAll(async () => {
  mock = await startTestMock({ apiKey }, "fast", { bodyLimitBytes, requestTimeoutMs: 600 });
});
afterAll(async () => {
  await mock.close();
});

const path = messagesPath(sid, businessNumber);
const json = { "api-key": apiKey, "content-type": "application/json" };

/** Bytes as written, and everything the server sends back until it closes. */
function rawExchange(bytes: string, hold = false): Promise<string> {
  const { hostname, port } = new URL(mock.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => (hold ? socket.write(bytes) : socket.end(bytes)));
    let text = "";
    const timer = setTimeout(() => reject(new Error(`no close within ${waitMs} ms; got ${JSON.stringify(text)}`)), waitMs);
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.on("error", reject);
  });
}

const headerLines = (count: number) => Array.from({ length: count }, (_, i) => `x-h${i}: v`);

describe("a head the mock will not read", () => {
  it(`${maxHeaderLines} header lines are read; one more is a 431 problem, and the connection closes`, async () => {
    const body = JSON.stringify(validBody());
    const head = (lines: number) =>
      [
        `POST ${path} HTTP/1.1`,
        "host: x",
        `api-key: ${apiKey}`,
        "content-type: application/json",
        `content-length: ${Buffer.byteLength(body)}`,
        ...headerLines(lines - 4),
      ].join("\r\n");
    expect(await rawExchange(`${head(maxHeaderLines)}\r\n\r\n${body}`)).toMatch(/^HTTP\/1\.1 202 Accepted\r\n/);
    const past = await rawExchange(`${head(maxHeaderLines + 1)}\r\n\r\n${body}`);
    expect(past).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(past.toLowerCase()).toContain("\r\nconnection: close\r\n");
    expect(JSON.parse(past.slice(past.indexOf("\r\n\r\n") + 4))).toEqual({
      type: "about:blank",
      title: "Request header fields too large",
      status: 431,
      detail: `The request has ${maxHeaderLines + 1} header lines; at most ${maxHeaderLines} are read.`,
    });
  });

  it("two Host headers are a 400 problem, and the connection closes", async () => {
    const answer = await rawExchange(`POST ${path} HTTP/1.1\r\nhost: a\r\nhost: b\r\ncontent-length: 0\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer.toLowerCase()).toContain("\r\nconnection: close\r\n");
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toEqual({
      type: "about:blank",
      title: "Bad request",
      status: 400,
      detail: "The request has 2 Host headers; a request has one.",
    });
  });
});

describe("a client that breaks the protocol or stalls: an empty 4xx, then the connection closes", () => {
  it("a header block over Node's limit: 431", async () => {
    expect(await rawExchange(`POST ${path} HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`)).toBe(
      "HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
    );
  });

  it("a request line that is not HTTP: 400", async () => {
    expect(await rawExchange("HELLO THERE\r\n\r\n")).toBe("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
  });

  it("half a body, then nothing: 408 after the request timeout", async () => {
    const started = Date.now();
    expect(await rawExchange(`POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"messaging`, true)).toBe(
      "HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });
});

describe("a body past the mock's limit", () => {
  const padded = (bytes: number) => {
    const body = JSON.stringify({ ...validBody(), pad: "" });
    return JSON.stringify({ ...validBody(), pad: "x".repeat(bytes - body.length) });
  };

  it(`at ${bodyLimitBytes} bytes it is read; one more is the vendor's 400 on the operation, and the connection closes`, async () => {
    const at = await rawRequest(mock.url, { method: "POST", path, headers: json, body: padded(bodyLimitBytes) });
    expect([at.status, JSON.parse(at.text).code, at.headers.connection]).toEqual([202, "WA202", "keep-alive"]);
    const past = await rawRequest(mock.url, { method: "POST", path, headers: json, body: padded(bodyLimitBytes + 1) });
    expect([past.status, JSON.parse(past.text).code, past.headers.connection]).toEqual([400, "WA400", "close"]);
    expect(mock.lines.at(-1)).toMatch(new RegExp(`→ 400 WA400 \\(\\d+\\.\\d ms\\) — body larger than the mock's limit of ${bodyLimitBytes} bytes\\n$`));
  });

  it("elsewhere it is a 413 problem", async () => {
    const past = await rawRequest(mock.url, { method: "POST", path: "/v2/other", headers: json, body: "x".repeat(bodyLimitBytes + 1) });
    expect([past.status, past.headers.connection]).toEqual([413, "close"]);
    expect(JSON.parse(past.text)).toEqual({
      type: "about:blank",
      title: "Payload too large",
      status: 413,
      detail: `The body is larger than ${bodyLimitBytes} bytes.`,
    });
  });
});

describe("a path the mock cannot decode, and another method", () => {
  it("a malformed percent-escape: the vendor's 400 on the operation, a 400 problem elsewhere, and the reason logged", async () => {
    const onOperation = await rawRequest(mock.url, {
      method: "POST",
      path: messagesPath("HX%ZZ", businessNumber),
      headers: json,
      body: JSON.stringify(validBody()),
    });
    expect([onOperation.status, JSON.parse(onOperation.text).code]).toEqual([400, "WA400"]);
    expect(mock.lines.at(-1)).toMatch(/ — the path has a malformed percent-escape\n$/);
    const elsewhere = await rawRequest(mock.url, { method: "POST", path: "/v2/%E0%A4%A", headers: json, body: "{}" });
    expect(JSON.parse(elsewhere.text)).toEqual({ type: "about:blank", title: "Bad request", status: 400, detail: "The path has a malformed percent-escape." });
  });

  it("another method on the operation's path is a 405 naming POST; on another path a 404 without Allow", async () => {
    const other = await rawRequest(mock.url, { method: "PUT", path, headers: json, body: "{}" });
    expect([other.status, other.headers.allow]).toEqual([405, "POST"]);
    const nowhere = await rawRequest(mock.url, { method: "PUT", path: "/v2/x", headers: json, body: "{}" });
    expect([nowhere.status, nowhere.headers.allow]).toEqual([404, undefined]);
  });
});

describe("the log says why each request was refused, in the reasons the mock found", () => {
  let open: TestMock;
  beforeAll(async () => {
    open = await startTestMock({}, "fast");
  });
  afterAll(async () => {
    await open.close();
  });

  const body = () => JSON.stringify(validBody());
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  it.each<[string, Parameters<typeof rawRequest>[1], number, string | RegExp]>([
    ["an empty body", { method: "POST", path, headers: json, body: "" }, 400, "empty body; the body is required"],
    [
      "another media type",
      { method: "POST", path, headers: { "api-key": apiKey, "content-type": "text/plain" }, body: body() },
      400,
      "Content-Type text/plain is not application/json; (body) must be object",
    ],
    [
      "no media type",
      { method: "POST", path, headers: { "api-key": apiKey }, body: body() },
      400,
      "Content-Type (none) is not application/json; (body) must be object",
    ],
    ["JSON that does not parse", { method: "POST", path, headers: json, body: "{not" }, 400, /malformed JSON at position 1; \(body\) must be object/], // the parser's own words are never logged (they quote the body)
    [
      "bytes that are not UTF-8",
      { method: "POST", path, headers: json, body: Buffer.from([0x7b, 0xff, 0x7d]) },
      400,
      "body is not valid UTF-8; (body) must be object",
    ],
    ["no api-key", { method: "POST", path, headers: { "content-type": "application/json" }, body: body() }, 401, "no api-key"],
    [
      "a sid outside its pattern",
      { method: "POST", path: messagesPath("HX%20AP", businessNumber), headers: json, body: body() },
      400,
      'path sid must match pattern "^[A-Za-z0-9]+$"',
    ],
    [
      "a target that is not a path",
      { method: "OPTIONS", path: "*", headers: json },
      400,
      "a request target that is neither a path nor an absolute http(s) URL",
    ],
  ])("%s", async (_name, request, status, reason) => {
    expect((await rawRequest(open.url, request)).status).toBe(status);
    expect(open.lines.at(-1)!.replace(/\(\d+\.\d ms\)/, "(ms)")).toMatch(
      new RegExp(` → ${status}( [A-Z0-9]+)? \\(ms\\) — ${typeof reason === "string" ? escaped(reason) : reason.source}\\n$`),
    );
  });

  it("an absolute-form target is answered as its path, a query kept out of the log", async () => {
    expect((await rawRequest(open.url, { method: "POST", path: `http://x.example${path}?a=1`, headers: json, body: body() })).status).toBe(202);
    expect(open.lines.at(-1)).toMatch(new RegExp(`^POST http://x\\.example${path.replace(/[+]/g, "\\+")} → 202 WA202 \\(\\d+\\.\\d ms\\)\\n$`));
    const star = await rawRequest(open.url, { method: "OPTIONS", path: "*" });
    expect(JSON.parse(star.text)).toEqual({
      type: "about:blank",
      title: "Bad request",
      status: 400,
      detail: "The request has a request target that is neither a path nor an absolute http(s) URL.",
    });
  });
});

describe("the Prism engine's answers", () => {
  let prism: TestMock;
  beforeAll(async () => {
    prism = await startTestMock({}, "prism");
  });
  afterAll(async () => {
    await prism.close();
  });

  it("a method no HTTP API uses is a 405 problem naming it, in either engine", async () => {
    for (const target of [mock, prism]) {
      const answer = await rawRequest(target.url, { method: "SEARCH", path: "/v2/x", headers: json });
      expect([answer.status, JSON.parse(answer.text)]).toEqual([
        405,
        { type: "about:blank", title: "Method not allowed", status: 405, detail: "SEARCH is not an HTTP method this API uses" },
      ]);
    }
  });

  it("answers with the contract's examples, never invented bodies: the plain case and each named example", async () => {
    const { example, operation } = await import("../src/contract/operation.ts");
    const plain = await rawRequest(prism.url, { method: "POST", path, headers: { ...json, prefer: "code=202" }, body: JSON.stringify(validBody()) });
    const accepted = example("accepted").value as { data: { message_id: string } };
    const body = JSON.parse(plain.text) as typeof accepted;
    expect(body.data.message_id).not.toBe(accepted.data.message_id);
    expect({ ...body, data: { ...body.data, message_id: accepted.data.message_id } }).toEqual(accepted);
    for (const named of operation().examples.filter((candidate) => candidate.status >= 400)) {
      const answer = await rawRequest(prism.url, {
        method: "POST",
        path,
        headers: { ...json, prefer: `example=${named.name}` },
        body: JSON.stringify(validBody()),
      });
      expect([answer.status, JSON.parse(answer.text)], named.name).toEqual([named.status, example(named.name).value]);
    }
  });
});

describe("a held answer does not hold the mock up", () => {
  it("stopping the mock ends a connection held silent by the no-response fault, at once", async () => {
    const { operation } = await import("../src/contract/operation.ts");
    const silent = operation().testRecipients.find((recipient) => "fault" in recipient.respond && recipient.respond.fault === "no-response")!.to;
    const own = await startTestMock({}, "fast");
    const body = validBody();
    body.messaging_object.to = silent;
    let arrived = false;
    own.server.once("request", () => (arrived = true));
    const pending = rawRequest(own.url, { method: "POST", path, headers: json, body: JSON.stringify(body) }).then(
      () => "answered",
      (error: Error) => error.message,
    );
    await until("the request at the mock", () => (arrived ? true : undefined));
    // Held silent, the connection stays open for good: the stop ends it within the tests' wait.
    await within("the mock's stop", own.close());
    expect(await pending).toBe("socket hang up");
  });
});

describe("the log names what chose an answer: a test recipient or a scenario", () => {
  it("a test recipient's example or fault, and a scenario's id and example", async () => {
    const { operation } = await import("../src/contract/operation.ts");
    const own = await startTestMock({}, "fast");
    try {
      const send = (to: string) => {
        const body = validBody();
        body.messaging_object.to = to;
        return rawRequest(own.url, { method: "POST", path, headers: json, body: JSON.stringify(body) });
      };
      const byExample = operation().testRecipients.find((recipient) => "example" in recipient.respond)!;
      await send(byExample.to);
      expect(own.lines.at(-1)).toMatch(new RegExp(` — test recipient: ${"example" in byExample.respond ? byExample.respond.example : ""}\\n$`));
      const byFault = operation().testRecipients.find((recipient) => "fault" in recipient.respond && recipient.respond.fault === "malformed-json")!;
      await send(byFault.to).catch(() => undefined);
      expect(own.lines.at(-1)).toMatch(/ — test recipient: fault malformed-json\n$/);
      const created = await rawRequest(own.url, {
        method: "POST",
        path: "/__admin/scenarios",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ match: { to: "+919876543210" }, respond: { example: "low-balance" } }),
      });
      const id = (JSON.parse(created.text) as { id: string }).id;
      expect((await send("+919876543210")).status).toBe(operation().examples.find((example) => example.name === "low-balance")!.status);
      expect(own.lines.at(-1)).toMatch(new RegExp(` — scenario ${id}: low-balance\\n$`));
    } finally {
      await own.close();
    }
  });
});

describe("the Prism engine, method by method", () => {
  it("hands every HTTP method to Prism, which names the one the path lacks; a method no API uses is refused before it", async () => {
    const { createEngine } = await import("../src/mock/engine.ts");
    const { loadDocument } = await import("../src/contract/document.ts");
    const engine = await createEngine(loadDocument());
    const answer = async (method: string) => {
      const result = await engine.process({ method, path, query: {}, headers: {}, body: undefined, preference: {} });
      return result.kind === "problem" ? [result.status, result.title, result.detail] : [result.response.statusCode];
    };
    for (const method of ["GET", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"]) {
      expect(await answer(method), method).toEqual([
        405,
        "Route resolved, but no method matched",
        `The route ${path} has been matched, but it does not have "${method.toLowerCase()}" method defined`,
      ]);
    }
    expect(await answer("POST")).toEqual([401]);
    expect(await answer("SEARCH")).toEqual([405, "Method not allowed", "SEARCH is not an HTTP method this API uses"]);
  });
});
