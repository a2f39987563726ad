// Nesting depth: one bound (src/json/read.ts) that every reader of outside JSON applies at the
// door, so no walk of a value afterwards (masking, serializing) can overflow the stack. Each
// reader is tried at the bound and one past it, with the exact answer it gives.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStatusCallback } from "../src/callbacks/parse.ts";
import { startCallbackReceiver } from "../src/callbacks/receiver.ts";
import { createKaleyraClient, KaleyraTransportError, type KaleyraValidationError } from "../src/index.ts";
import { createMockAdmin } from "../src/client/mock-admin.ts";
import { maxBodyDepth, maxJsonDepth, nestsDeeperThan, opensMoreThan, parseJson } from "../src/json/read.ts";
import { judgeRequest } from "../src/contract/request.ts";
import { replayRecording, RecordingError } from "../src/judge/recorded.ts";
import { startTestMock, messagesPath, type TestMock } from "./support/mock.ts";
import { rawRequest } from "./support/raw.ts";
import { apiKey, businessNumber, sid, validBody } from "./support/requests.ts";
import { fetchWithin } from "./support/wait.ts";

/** JSON text nesting exactly `depth` levels: arrays inside `wrap` (which adds its own levels). */
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("the bound", () => {
  it("counts arrays and objects, not brackets inside strings or after escaped quotes", () => {
    expect([nestsDeeperThan(nested(3), 3), nestsDeeperThan(nested(4), 3)]).toEqual([false, true]);
    expect([nestsDeeperThan('{"a":{"b":[1]}}', 3), nestsDeeperThan('{"a":{"b":[[1]]}}', 3)]).toEqual([false, true]);
    expect(nestsDeeperThan(`{"s":"${"[".repeat(100)}"}`, 1)).toBe(false);
    expect(nestsDeeperThan(`{"s":"\\"${"{".repeat(100)}"}`, 1)).toBe(false);
    expect(nestsDeeperThan(`{"s":"\\\\"}${"[".repeat(5)}`, 3)).toBe(true);
  });

  it("tells a shallow text by its count of opening brackets, at the count and one past, strings included", () => {
    // `limit` opening brackets of either kind, and one more of each kind.
    expect([opensMoreThan("{[{", 3), opensMoreThan("{[{[", 3), opensMoreThan("{[{{", 3)]).toEqual([false, true, true]);
    expect([opensMoreThan('"[[" {', 3), opensMoreThan('"[[[" {', 3)]).toEqual([false, true]);
    // Closing brackets and other characters do not count, however many.
    expect([opensMoreThan("]]]}}}", 0), opensMoreThan("x".repeat(100), 1), opensMoreThan("", 0)]).toEqual([false, false, false]);
    expect([opensMoreThan("[", 1), opensMoreThan("[", 0), opensMoreThan("{", 0)]).toEqual([false, true, true]);
  });

  it("parses at the bound, refuses one past it, and never quotes the text in a problem", () => {
    expect(parseJson(nested(maxJsonDepth))).toMatchObject({ ok: true });
    expect(parseJson(nested(maxJsonDepth + 1))).toEqual({ ok: false, kind: "too-deep", problem: `nests deeper than ${maxJsonDepth} levels` });
    const secret = "sk-LIVE-abcdefgh";
    for (const text of [`{"key": ${secret}}`, `${secret}`, `{"a": "${secret}"`, `["${secret}",]`]) {
      const read = parseJson(text);
      expect(read.ok).toBe(false);
      expect(JSON.stringify(read)).not.toMatch(/sk-|LIVE|abcd/);
    }
    // The position, when the parser gives one, whatever its digits; none when it gives none.
    expect([parseJson(""), parseJson('{"a":1,"b":2,"c":3}x'), parseJson("[1,")]).toEqual([
      { ok: false, kind: "malformed", problem: "malformed JSON" },
      { ok: false, kind: "malformed", problem: "malformed JSON at position 19" },
      { ok: false, kind: "malformed", problem: "malformed JSON" },
    ]);
    // 2,500 levels: refused without a stack overflow.
    expect(parseJson(nested(2_500))).toEqual({ ok: false, kind: "too-deep", problem: `nests deeper than ${maxJsonDepth} levels` });
    expect(maxBodyDepth).toBeLessThan(maxJsonDepth);
  });
});

describe("the mock's intake and journal", () => {
  let mock: TestMock;
  beforeAll(async () => {
    mock = await startTestMock({ apiKey });
  });
  afterAll(() => mock.close());

  /** A send whose extra_info holds arrays to a total depth of `depth`. */
  const sendDeep = (depth: number) => {
    const body = JSON.stringify({ ...validBody(), extra_info: { deep: "@@" } }).replace('"@@"', nested(depth - 2));
    return rawRequest(mock.url, {
      method: "POST",
      path: messagesPath(sid, businessNumber),
      headers: { "content-type": "application/json", "api-key": apiKey },
      body,
    });
  };

  it("parses a body at the body bound and refuses one past it with WA400; the journal serves both, and the mock serves on", async () => {
    const atBound = await sendDeep(maxBodyDepth);
    const past = await sendDeep(maxBodyDepth + 1);
    const far = await sendDeep(2_500);
    // extra_info takes values of any shape: at the bound the body is valid.
    expect([atBound.status, past.status, far.status]).toEqual([202, 400, 400]);
    const reasons = mock.lines.slice(-3).map((line) => line.trimEnd().split(" — ")[1]);
    expect(reasons).toEqual([
      undefined,
      `the JSON nests deeper than ${maxBodyDepth} levels; (body) must be object`,
      `the JSON nests deeper than ${maxBodyDepth} levels; (body) must be object`,
    ]);
    // Read twice: a deep entry must not break the journal once its reader is warm.
    for (let i = 0; i < 2; i++) {
      const journal = await createMockAdmin({ baseUrl: mock.url }).requests();
      expect(journal.map((entry) => typeof entry.body)).toEqual(["object", "string", "string"]);
    }
    const valid = await rawRequest(mock.url, {
      method: "POST",
      path: messagesPath(sid, businessNumber),
      headers: { "content-type": "application/json", "api-key": apiKey },
      body: JSON.stringify(validBody()),
    });
    expect(valid.status).toBe(202);
  });

  it("refuses an admin body past the bound as not JSON, naming the body; at the bound the schema judges it", async () => {
    const post = (text: string) =>
      rawRequest(mock.url, { method: "POST", path: "/__admin/scenarios", headers: { "content-type": "application/json" }, body: text });
    const past = await post(`{"match":{},"respond":{"example":"low-balance"},"x":${nested(maxJsonDepth)}}`);
    const atBound = await post(`{"match":{},"respond":{"example":"low-balance"},"x":${nested(maxJsonDepth - 1)}}`);
    expect([past.status, (JSON.parse(past.text) as { errors: unknown }).errors]).toEqual([
      400,
      [{ field: "body", message: `is not JSON: nests deeper than ${maxJsonDepth} levels` }],
    ]);
    expect([atBound.status, (JSON.parse(atBound.text) as { errors: unknown }).errors]).toEqual([400, [{ field: "x", message: "is not allowed here" }]]);
  });
});

describe("the client and the admin client against a server answering deep JSON", () => {
  let server: Server;
  let baseUrl: string;
  let answer = { status: 202, body: "" };
  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on("end", () => response.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = { phoneNumber: businessNumber, to: "+919876543210", video: { id: "1166846181421424" } };
  const failureOf = async (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error,
    );

  it("is a KaleyraTransportError (invalid-response) for a deep 202, 400 or error; at the bound, the answer is read", async () => {
    const client = createKaleyraClient({ apiKey, sid, baseUrl });
    const outcomes: unknown[] = [];
    for (const [status, body] of [
      [202, `{"code":"WA202","message":"x","data":{"message_id":"A"},"error":{},"x":${nested(maxJsonDepth)}}`],
      [400, `{"code":"WA400","message":"x","data":{},"error":${nested(2_500)}}`],
      [202, `{"code":"WA202","message":"x","data":{"message_id":"A"},"error":{},"x":${nested(maxJsonDepth - 1)}}`],
    ] as const) {
      answer = { status, body };
      const error = await failureOf(client.sendVideo(send));
      outcomes.push(error instanceof KaleyraTransportError ? [error.reason, error.status, error.message] : error);
    }
    expect(outcomes).toEqual([
      ["invalid-response", 202, `Answer 202 nests deeper than ${maxJsonDepth} levels`],
      ["invalid-response", 400, `Answer 400 nests deeper than ${maxJsonDepth} levels`],
      // At the bound the answer is read, and it is a documented success (the envelope takes more fields).
      undefined,
    ]);
  });

  it("the admin client: a deep journal is a KaleyraTransportError, not a RangeError", async () => {
    answer = { status: 200, body: `{"requests":${nested(3_000)},"dropped":0}` };
    const error = await failureOf(createMockAdmin({ baseUrl }).requests());
    expect(error).toBeInstanceOf(KaleyraTransportError);
    expect([(error as KaleyraTransportError).reason, (error as KaleyraTransportError).status, (error as KaleyraTransportError).message]).toEqual([
      "invalid-response",
      200,
      `Answer 200 nests deeper than ${maxJsonDepth} levels`,
    ]);
  });
});

describe("status callbacks", () => {
  it("parseStatusCallback refuses a deep body by name", () => {
    let thrown: unknown;
    try {
      parseStatusCallback(`{"status":"SENT","x":${nested(3_000)}}`);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as KaleyraValidationError).issues).toEqual([
      { field: "(body)", rule: "json", message: `is JSON that nests deeper than ${maxJsonDepth} levels` },
    ]);
  });

  it("the checking receiver answers a deep body 400 with a finding, and keeps listening", async () => {
    const lines: string[] = [];
    const receiver = await startCallbackReceiver({ port: 0, host: "127.0.0.1", line: (text) => lines.push(text) });
    try {
      const answer = await fetchWithin(receiver.url, { method: "POST", body: `{"status":"SENT","x":${nested(3_000)}}` });
      expect(answer.status).toBe(400);
      expect(lines).toEqual([`? (not JSON) ✗ valid: the body's JSON nests deeper than ${maxJsonDepth} levels`]);
    } finally {
      await receiver.close();
    }
  });
});

describe("conformance and replay", () => {
  it("the request judge names a deep body", () => {
    const judged = judgeRequest({
      method: "POST",
      path: messagesPath(sid, businessNumber),
      headers: { "content-type": "application/json", "api-key": apiKey },
      body: nested(3_000),
    });
    // The mock's bound on a request body, in the words its log gives.
    expect(judged).toEqual({
      kind: "operation",
      hasKey: true,
      issues: [{ field: "(body)", rule: "depth", message: `is JSON that nests deeper than ${maxBodyDepth} levels` }],
    });
  });

  it("replay refuses a deep record by its line number", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "deep-")), "rec.ndjson");
    writeFileSync(file, `\n{"v":1,"x":${nested(3_000)}}\n`);
    const error = await replayRecording(file, { lenient: false, mask: (text) => text }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(RecordingError);
    expect((error as Error).message).toBe(
      `line 2 of ${file} is JSON that nests deeper than ${maxJsonDepth} levels; a recording is one JSON record a line (kaleyra-video proxy --record)`,
    );
  });
});
