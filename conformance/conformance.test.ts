// The conformance suite itself: it passes on the mock, it catches servers that are wrong in one
// way (each under the right check), it sends nothing acceptable to a remote target unless told,
// and its reports parse.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { example, operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { startTestMock, type TestMock } from "../test/support/mock.ts";
import { serverErrorOnMalformedJson, startDistorted, type Distortion } from "../test/support/distort.ts";
import { startGate, type Gate } from "../test/support/gate.ts";
import { apiKey, businessNumber, sid } from "../test/support/requests.ts";
import { conform } from "../src/cli/tools/conform.ts";
import { buildPlan, fictionalRecipient } from "./plan.ts";
import { wrongKey } from "../src/judge/wire.ts";
import { checkTotals, coverage, junit } from "../src/judge/report.ts";
import { runConformance, RunRefusal, type RunOptions } from "./runner.ts";
import type { RunResult } from "../src/judge/result.ts";
import { fetchWithin, runLimitMs, waitMs } from "../test/support/wait.ts";

// Each test here makes whole conformance runs: bounded by the work, not by one exchange's time.
vi.setConfig({ testTimeout: runLimitMs });

const seed = 20261124;
let mock: TestMock;
beforeAll(async () => {
  mock = await startTestMock({ apiKey, sid, phoneNumbers: [businessNumber] });
});
afterAll(async () => {
  await mock.close();
});

const options = (target: string, extra: Partial<RunOptions> = {}): RunOptions => ({
  target,
  sid,
  phoneNumber: businessNumber,
  apiKey,
  seed,
  runs: 300,
  // Each request's limit is the tests' hang bound: a busy machine must not turn a slow answer into a finding.
  timeoutMs: waitMs,
  ...extra,
});
const failedChecks = (result: RunResult) =>
  checkTotals(result)
    .filter((row) => row.failed > 0)
    .map((row) => row.name);

describe("against the mock", () => {
  it("passes, with a few hundred generated requests, and observes the answers it can provoke", async () => {
    const result = await runConformance(options(mock.url));
    expect(failedChecks(result)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.outcomes.filter((outcome) => outcome.testCase.category === "generated").length).toBe(300);
    expect(result.outcomes.length).toBeGreaterThan(350);
    const observed = Object.fromEntries(coverage(result).map((row) => [row.example, row.observed > 0]));
    expect(observed).toMatchObject({ accepted: true, "incorrect-payload": true, "incorrect-sid-or-api-key": true });
    // Every check ran, and the same seed gives the same requests.
    expect(checkTotals(result).map((row) => row.name)).toEqual(
      expect.arrayContaining([
        "status_documented",
        "content_type_documented",
        "response_schema",
        "code_documented",
        "no_server_error",
        "accepts_valid",
        "rejects_invalid",
        "auth_enforced",
      ]),
    );
  });

  it("checks the status callbacks of every accepted send end to end, and puts the mock's callback URL back", async () => {
    const result = await runConformance(options(mock.url, { runs: 40 }));
    const accepted = result.outcomes.filter((outcome) => outcome.observed.status === 202).length;
    expect(accepted).toBeGreaterThan(40);
    expect(result.callbacks).toEqual({ messages: accepted, received: expect.any(Number), findings: [] });
    expect(result.callbacks!.received).toBeGreaterThanOrEqual(3 * accepted);
    expect(result.ok).toBe(true);
    const page = await fetchWithin(`${mock.url}/__admin/callbacks`).then((answer) => answer.json() as Promise<{ url: string | null }>);
    expect(page.url).toBeNull();
    const skipped = await runConformance(options(mock.url, { runs: 5, checkCallbacks: false }));
    expect(skipped.callbacks).toBeUndefined();
  });

  it("fails a mock whose callbacks come twice, under the callback checks alone", async () => {
    // A relay between the mock and the conformance receiver sends every callback twice.
    const { createServer } = await import("node:http");
    let receiverUrl = "";
    const relay = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", async () => {
        const body = Buffer.concat(chunks);
        for (let i = 0; i < 2; i++) await fetchWithin(receiverUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    const relayUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}/`;
    const target = await startDistorted(mock.url, {
      request: (request) => {
        if (request.method === "PUT" && request.path === "/__admin/callbacks") {
          const asked = JSON.parse(request.body) as { url: string | null };
          if (asked.url !== null) {
            receiverUrl = asked.url;
            return { headers: request.headers, body: JSON.stringify({ url: relayUrl }) };
          }
        }
        return undefined;
      },
    });
    try {
      const result = await runConformance(options(target.url, { runs: 3 }));
      expect(failedChecks(result)).toEqual([]);
      expect([...new Set(result.callbacks!.findings.map((finding) => finding.check))]).toEqual(["no_duplicate"]);
      expect(result.ok).toBe(false);
    } finally {
      await target.close();
      relay.closeAllConnections();
      await new Promise((resolve) => relay.close(resolve));
    }
  });

  it("is repeatable: the same seed sends the same requests", async () => {
    const bodies = async () => (await runConformance(options(mock.url, { runs: 30 }))).outcomes.map((outcome) => outcome.testCase.request.body);
    expect(await bodies()).toEqual(await bodies());
  });
});

describe("it catches servers that are wrong in one way, under the right check", () => {
  const accepted = () => ({ status: 202, headers: { "content-type": "application/json" }, body: JSON.stringify(example("accepted").value) });
  // Each defect with the exact set of checks it fails: a check that stopped failing, or one that
  // started, is a change in what the suite reports.
  const broken: [string, Distortion, string | string[]][] = [
    [
      "accepts a 1025-character caption",
      { request: ({ body }) => ((JSON.parse(body || "{}")?.messaging_object?.video?.caption ?? "").length > 1024 ? accepted() : undefined) },
      "rejects_invalid",
    ],
    ["answers 500 to malformed JSON", serverErrorOnMalformedJson(example("internal-error").value), ["no_server_error", "rejects_invalid"]],
    ["ignores a missing key", { request: ({ headers }) => (headers["api-key"] ? undefined : { headers: { ...headers, "api-key": apiKey } }) }, "auth_enforced"],
    [
      "sends a 202 without message_id",
      { response: (answer) => (answer.status === 202 ? { ...answer, body: JSON.stringify({ ...JSON.parse(answer.body), data: {} }) } : answer) },
      "response_schema",
    ],
    ["answers text/html", { response: (answer) => ({ ...answer, headers: { ...answer.headers, "content-type": "text/html" } }) }, "content_type_documented"],
    [
      "labels its JSON latin-1",
      { response: (answer) => ({ ...answer, headers: { ...answer.headers, "content-type": "application/json; charset=iso-8859-1" } }) },
      "response_headers",
    ],
    [
      "sends no Allow with its 405",
      { response: (answer) => (answer.status === 405 ? { ...answer, headers: { "content-type": answer.headers["content-type"]! } } : answer) },
      "unsupported_method",
    ],
    [
      "answers 404 to other methods on the path",
      { request: ({ method }) => (method === "POST" ? undefined : { status: 404, headers: { "content-type": "application/json" }, body: "{}" }) },
      "unsupported_method",
    ],
    [
      "confuses WA400 with E110",
      { response: (answer) => (answer.status === 400 ? { ...answer, body: JSON.stringify(example("low-balance").value) } : answer) },
      "rejects_invalid",
    ],
    [
      "answers 422 to invalid payloads",
      { response: (answer) => (answer.status === 400 ? { ...answer, status: 422 } : answer) },
      ["status_documented", "rejects_invalid"],
    ],
    [
      "sends code as a number",
      { response: (answer) => ({ ...answer, body: answer.body.replace(/"code":"WA202"/, '"code":202') }) },
      ["response_schema", "code_documented", "accepts_valid"],
    ],
    [
      "answers RBC001 with WA401",
      { response: (answer) => (answer.status === 401 ? { ...answer, body: answer.body.replace("RBC001", "WA401") } : answer) },
      "auth_enforced",
    ],
    [
      // The rule the contract had before it spelled out RFC 3986: an http(s) scheme and no space.
      "checks video links by a lax rule (http(s):// and no space)",
      {
        request: ({ body }) => {
          const link = (JSON.parse(body || "{}") as { messaging_object?: { video?: { link?: unknown } } })?.messaging_object?.video?.link;
          return typeof link === "string" && /^https?:\/\/\S+$/i.test(link) ? accepted() : undefined;
        },
      },
      "rejects_invalid",
    ],
    // Each of these fails one check alone, so that a check made to always pass is caught.
    [
      "drops the connection on requests with ref2",
      { request: ({ body }) => (body.includes('"ref2"') ? { status: 0, headers: {}, body: "" } : undefined) },
      "answered",
    ],
    [
      "answers 418 to a body without Content-Type",
      {
        request: ({ headers, body }) =>
          headers["content-type"] === undefined && body !== ""
            ? { status: 418, headers: { "content-type": "application/json" }, body: JSON.stringify(example("incorrect-payload").value) }
            : undefined,
      },
      "status_documented",
    ],
    [
      "answers WA500 to a body without Content-Type",
      {
        request: ({ headers, body }) =>
          headers["content-type"] === undefined && body !== ""
            ? { status: 500, headers: { "content-type": "application/json" }, body: JSON.stringify(example("internal-error").value) }
            : undefined,
      },
      "no_server_error",
    ],
    [
      "refuses valid videos by link with WA400",
      {
        request: ({ body }) =>
          /"link"/.test(body) &&
          !/"id"/.test(body) &&
          (JSON.parse(body || "{}")?.messaging_object?.video?.link ?? "").startsWith("https://www.awesomeview.com/")
            ? { status: 400, headers: { "content-type": "application/json" }, body: JSON.stringify(example("incorrect-payload").value) }
            : undefined,
      },
      "accepts_valid",
    ],
    [
      "accepts a recipient_type outside the enum",
      { request: ({ body }) => (/"recipient_type":"(?!individual")/.test(body) ? accepted() : undefined) },
      "rejects_invalid",
    ],
  ];

  it.each(broken.map(([name, distortion, check]) => ({ name, distortion, checks: [check].flat() })))(
    "a server that $name fails exactly $checks",
    async ({ distortion, checks }) => {
      const server = await startDistorted(mock.url, distortion);
      try {
        const result = await runConformance(options(server.url, { runs: 50 }));
        expect(result.ok).toBe(false);
        expect(failedChecks(result)).toEqual(checks);
      } finally {
        await server.close();
      }
    },
  );

  it("a faithful proxy of the mock raises no false alarm", async () => {
    const server = await startDistorted(mock.url, {});
    try {
      const result = await runConformance(options(server.url, { runs: 50 }));
      expect(failedChecks(result)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("prints the smallest generated request that fails, as a curl line without the key", async () => {
    // Fails only for captions longer than 10 characters: the shrunk case has exactly 11.
    const server = await startDistorted(mock.url, {
      request: ({ body }) =>
        [...(JSON.parse(body || "{}")?.messaging_object?.video?.caption ?? "")].length > 10
          ? { status: 400, headers: { "content-type": "application/json" }, body: JSON.stringify(example("incorrect-payload").value) }
          : undefined,
    });
    try {
      const result = await runConformance(options(server.url, { runs: 100 }));
      expect(result.shrunk).toBeDefined();
      const caption = JSON.parse(result.shrunk!.testCase.request.body).messaging_object.video.caption as string;
      expect([...caption].length).toBe(11);
      expect(result.shrunk!.curl).toMatch(/^curl -X POST '.*' .*-H "api-key: \$KALEYRA_API_KEY" --data-raw '/);
      expect(result.shrunk!.curl).not.toContain(apiKey);
    } finally {
      await server.close();
    }
  });
});

describe("a remote target is safe by default", () => {
  const remotePlan = (allowSend: boolean) =>
    buildPlan({ sid, phoneNumber: businessNumber, to: "+919876543210", allowSend, recipientFixed: true, checksKeys: true });

  it("the plan holds nothing a faithful target would accept", () => {
    const schemas = compileContractSchemas();
    const contract = operation();
    const plan = remotePlan(false);
    expect(plan.length).toBeGreaterThan(40);
    for (const testCase of plan) {
      expect(testCase.mayBeAccepted).toBe(false);
      const body = (() => {
        try {
          return JSON.parse(testCase.request.body);
        } catch {
          return undefined;
        }
      })();
      const acceptable =
        testCase.request.key === "account" && schemas.check(contract.requestSchemaPointer, body).ok && testCase.request.contentType === "application/json";
      // Path-parameter probes have a valid body but a malformed SID or number.
      if (acceptable) expect(testCase.request.sid !== sid || testCase.request.phoneNumber !== businessNumber).toBe(true);
      if (body?.messaging_object?.to && schemas.check(contract.requestSchemaPointer, body).ok) expect(body.messaging_object.to).toBe(fictionalRecipient);
    }
  });

  it("a run that pretends the mock is remote sends nothing the contract would accept", async () => {
    const gate: Gate = await startGate(mock.url);
    try {
      const result = await runConformance(options(gate.url, { treatAsRemote: true }));
      expect(result.remote).toBe(true);
      expect(result.acceptableSent).toBe(0);
      const sendable = gate.seen.filter((request) => request.violations.length === 0 && request.headers["api-key"] === apiKey);
      expect(sendable).toEqual([]);
      expect(gate.seen.some((request) => request.headers["api-key"] === wrongKey)).toBe(true);
    } finally {
      await gate.close();
    }
  });

  it("with --allow-send, at most --max-sends acceptable requests, all to --to", async () => {
    const gate: Gate = await startGate(mock.url);
    try {
      const result = await runConformance(options(gate.url, { treatAsRemote: true, allowSend: true, to: "+919812345678", maxSends: 2 }));
      expect(result.acceptableSent).toBe(2);
      const sendable = gate.seen.filter((request) => request.violations.length === 0 && request.headers["api-key"] === apiKey);
      expect(sendable.length).toBe(2);
      for (const request of sendable) expect(JSON.parse(request.body).messaging_object.to).toBe("+919812345678");
    } finally {
      await gate.close();
    }
  });

  it("refuses --allow-send without a recipient", async () => {
    await expect(runConformance(options("https://api.in.kaleyra.io", { allowSend: true }))).rejects.toThrow(/needs the recipient --to/);
  });

  it("refuses it with a typed value the command tells from other errors", async () => {
    const refusal = await runConformance(options("https://api.in.kaleyra.io", { allowSend: true })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(RunRefusal);
    expect({ kind: (refusal as RunRefusal).kind, message: (refusal as RunRefusal).message }).toEqual({
      kind: "needs-recipient",
      message: "sending to a target that is not the kit's mock needs the recipient --to",
    });
  });
});

describe("reports", () => {
  it("JUnit XML parses, with one testcase per request and the failures named by check", async () => {
    const server = await startDistorted(mock.url, { response: (answer) => ({ ...answer, headers: { "content-type": "text/html" } }) });
    try {
      const result = await runConformance(options(server.url, { runs: 20 }));
      const xml = junit(result);
      expect(XMLValidator.validate(xml)).toBe(true);
      const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml);
      const suite = parsed.testsuites.testsuite;
      expect(Number(suite["@_tests"])).toBe(result.outcomes.length + (result.shrunk ? 1 : 0) + (result.callbacks ? 1 : 0));
      // Every failed check of every request is in the report, as its own failure: none dropped.
      const cases = [...result.outcomes, ...(result.shrunk ? [result.shrunk] : [])];
      const failed = cases.flatMap((outcome) => outcome.checks.filter((check) => !check.ok).map((check) => check.name));
      const failing = cases.filter((outcome) => outcome.checks.some((check) => !check.ok)).length;
      expect(Number(suite["@_failures"])).toBe(failing);
      const failureTypes = (suite.testcase as { failure?: { "@_type": string } | { "@_type": string }[] }[])
        .flatMap((testcase) => (testcase.failure ? [testcase.failure].flat() : []))
        .map((failure) => failure["@_type"]);
      expect(failureTypes.sort()).toEqual(failed.sort());
      // The distortion replaces every header: the 405s lose their Allow too.
      expect([...new Set(failureTypes)].sort()).toEqual(["content_type_documented", "unsupported_method"]);
      expect(xml).not.toContain(apiKey);
    } finally {
      await server.close();
    }
  });

  it("`conform` writes JUnit and JSON, exits 0 on the mock, and never prints the key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "conform-"));
    const out: string[] = [];
    const err: string[] = [];
    const code = await conform(
      [
        "--target",
        mock.url,
        "--sid",
        sid,
        "--phone-number",
        businessNumber,
        "--seed",
        String(seed),
        "--runs",
        "50",
        "--report",
        `junit=${join(dir, "r.xml")}`,
        "--report",
        `json=${join(dir, "r.json")}`,
      ],
      { env: { KALEYRA_API_KEY: apiKey }, out: (t) => out.push(t), err: (t) => err.push(t) },
    );
    expect(code).toBe(0);
    expect(out.join("\n")).toMatch(/Documented responses observed:/);
    expect(out.join("\n")).toMatch(/PASS/);
    expect(XMLValidator.validate(readFileSync(join(dir, "r.xml"), "utf8"))).toBe(true);
    const json = JSON.parse(readFileSync(join(dir, "r.json"), "utf8"));
    expect(json).toMatchObject({ ok: true, seed });
    expect(out.join("") + err.join("") + readFileSync(join(dir, "r.json"), "utf8")).not.toContain(apiKey);
  });

  it("`conform` exits 1 on violations and 2 on usage errors", async () => {
    const server = await startDistorted(mock.url, { response: (answer) => ({ ...answer, status: answer.status === 401 ? 403 : answer.status }) });
    const io = { env: { KALEYRA_API_KEY: apiKey }, out: () => {}, err: () => {} };
    try {
      expect(await conform(["--target", server.url, "--sid", sid, "--phone-number", businessNumber, "--runs", "5"], io)).toBe(1);
    } finally {
      await server.close();
    }
    expect(await conform(["--target", mock.url], io)).toBe(2);
    expect(await conform(["--target", mock.url, "--sid", sid, "--phone-number", businessNumber], { ...io, env: {} })).toBe(2);
    expect(await conform(["--target", "https://api.in.kaleyra.io", "--sid", sid, "--phone-number", businessNumber, "--allow-send"], io)).toBe(2);
  });
});

describe("--prefer-examples, for mocks", () => {
  it("observes every documented answer from the mock, each as documented", async () => {
    const result = await runConformance(options(mock.url, { runs: 20, preferExamples: true }));
    expect(failedChecks(result)).toEqual([]);
    expect(coverage(result).filter((row) => row.observed === 0)).toEqual([]);
    expect(checkTotals(result).find((row) => row.name === "serves_example")).toMatchObject({ passed: operation().examples.length, failed: 0 });
  });

  it("catches a mock that serves the wrong example for a name", async () => {
    const server = await startDistorted(mock.url, {
      response: (answer) =>
        answer.body.includes('"WA-401"') && answer.body.includes('"account"')
          ? { ...answer, body: JSON.stringify(example("phone-number-other-version").value) }
          : answer,
    });
    try {
      const result = await runConformance(options(server.url, { runs: 5, preferExamples: true }));
      expect(failedChecks(result)).toEqual(["serves_example"]);
    } finally {
      await server.close();
    }
  });
});

describe("the callbacks stage on its own", () => {
  const limits = { timeoutMs: 5_000, maxResponseBytes: 1024 * 1024, mask: (text: string) => text };
  const send = async (url: string) => {
    const answer = await fetchWithin(`${url}/v2/${sid}/whatsapp/${businessNumber}/messages`, {
      method: "POST",
      headers: { "api-key": apiKey, "content-type": "application/json" },
      body: JSON.stringify(operation().requestExamples["by-media-id"]),
    });
    return ((await answer.json()) as { data: { message_id: string } }).data.message_id;
  };

  it("points the mock at its receiver, checks each accepted message's whole sequence, names one that never came, and points the mock back", async () => {
    const { startCallbackStage } = await import("./callbacks.ts");
    const own = await startTestMock({ apiKey, sid, phoneNumbers: [businessNumber] }, "fast", {
      callbacks: { delaysMs: [5], backoffMs: 20, attempts: 2, timeoutMs: 1_000, url: "http://127.0.0.1:9/before" },
    });
    try {
      const stage = (await startCallbackStage(own.url, limits, undefined))!;
      expect(stage).toBeDefined();
      const id = await send(own.url);
      const report = await stage.finish([id, "NEVER-SENT"], 1_500);
      expect(report).toEqual({
        messages: 2,
        received: 3,
        findings: [{ check: "complete", messageId: "NEVER-SENT", message: "no whole sequence within 1500 ms (got nothing)" }],
      });
      // GET, PUT to the receiver, PUT back.
      expect(stage.adminRequests()).toBe(3);
      const after = await fetchWithin(`${own.url}/__admin/callbacks`);
      expect(((await after.json()) as { url: string | null }).url).toBe("http://127.0.0.1:9/before");
    } finally {
      await own.close();
    }
  });

  it("is left out where there is no admin API, or it refuses the receiver; a token goes as a bearer", async () => {
    const { startCallbackStage } = await import("./callbacks.ts");
    const { createServer } = await import("node:http");
    const seen: string[] = [];
    let putStatus = 400;
    const server = createServer((request, response) => {
      request.resume();
      seen.push(`${request.method} ${request.url} ${request.headers.authorization ?? "-"}`);
      if (request.method === "GET" && request.url === "/__admin/callbacks") response.writeHead(200, { "content-type": "application/json" }).end('{"url":null}');
      else response.writeHead(putStatus).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      expect(await startCallbackStage(url, limits, "tok-123456")).toBeUndefined();
      expect(seen).toEqual(["GET /__admin/callbacks Bearer tok-123456", "PUT /__admin/callbacks Bearer tok-123456"]);
      putStatus = 204;
      const stage = await startCallbackStage(`${url}/`, limits, undefined);
      expect(await stage!.finish([], 0)).toEqual({ messages: 0, received: 0, findings: [] });
      expect(seen.slice(2)).toEqual(["GET /__admin/callbacks -", "PUT /__admin/callbacks -", "PUT /__admin/callbacks -"]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await startCallbackStage("http://127.0.0.1:9", limits, undefined)).toBeUndefined();
  });
});

describe("the identity probe", () => {
  it("believes only a 200 echoing its own nonce as the kit's mock that delivers nothing; sends a token only as a bearer, and never the key", async () => {
    const { identifyTarget } = await import("./runner.ts");
    const { createServer } = await import("node:http");
    const seen: { url: string; authorization: string | undefined; key: string | undefined }[] = [];
    let answer: (nonce: string) => [number, string] = () => [200, "{}"];
    const server = createServer((request, response) => {
      request.resume();
      seen.push({ url: request.url ?? "", authorization: request.headers.authorization, key: request.headers["api-key"] as string | undefined });
      const nonce = new URL(request.url ?? "/", "http://x").searchParams.get("nonce") ?? "";
      const [status, body] = answer(nonce);
      response.writeHead(status, { "content-type": "application/json" }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const limits = { timeoutMs: 5_000, maxResponseBytes: 1024, mask: (text: string) => text };
    const identity = (nonce: string, extra: object = {}) =>
      JSON.stringify({ kit: "kaleyra-whatsapp-video-kit", role: "mock", nonce, delivers: false, ...extra });
    try {
      answer = (nonce) => [200, identity(nonce)];
      expect(await identifyTarget(`${url}//`, limits, "tok-123456")).toBe(true);
      expect(seen[0]).toEqual({ url: expect.stringMatching(/^\/__admin\/identity\?nonce=[0-9a-f]{32}$/), authorization: "Bearer tok-123456", key: undefined });
      expect(await identifyTarget(url, limits)).toBe(true);
      expect(seen[1]?.authorization).toBeUndefined();
      expect(seen[0]?.url).not.toBe(seen[1]?.url);
      for (const wrong of [
        (nonce: string): [number, string] => [201, identity(nonce)],
        (): [number, string] => [200, identity("0".repeat(32))],
        (nonce: string): [number, string] => [200, identity(nonce, { delivers: true })],
        (nonce: string): [number, string] => [200, identity(nonce, { role: "pod" })],
        (): [number, string] => [200, "not json"],
        (): [number, string] => [200, "null"],
      ]) {
        answer = wrong;
        expect(await identifyTarget(url, limits)).toBe(false);
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await identifyTarget("http://127.0.0.1:9", limits)).toBe(false);
  });
});
