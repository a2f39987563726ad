// Each check, the request judge, the diagnoses, the pacer and the shared flags, alone and at
// their edges: no server, so each runs in milliseconds (and a mutant of them dies fast).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conform } from "../src/cli/tools/conform.ts";
import { example, operation } from "../src/contract/operation.ts";
import { baseUrlFlag, checkFlags, rateFlag, reportFlags, wholeFlag } from "../src/cli/tools/flags.ts";
import { checkAnswer, checkNames, responseContractsOf, selectChecks, usefulness, type CheckInput, type CheckName } from "../src/judge/checks.ts";
import { loadDocument } from "../src/contract/document.ts";
import { credentialsEvidence, diagnoseAnswers, unreachable } from "./diagnose.ts";
import { settlesAtOnce } from "../test/support/wait.ts";
import type { Case, CaseRequest } from "../src/judge/model.ts";
import { judgeRequest } from "../src/contract/request.ts";
import { findingsOf, judgeExchange, maxRecordLine, recordedResult, replayRecording, type ExchangeRecord } from "../src/judge/recorded.ts";
import { podUrls } from "../src/client/pods.ts";
import { pacer } from "./runner.ts";
import type { CaseOutcome } from "../src/judge/result.ts";
import type { Observed } from "../src/judge/model.ts";

const json = "application/json";
function observed(status: number | undefined, body: unknown, headers: Record<string, string> = { "content-type": json }, milliseconds = 5): Observed {
  const text = body === undefined ? "" : JSON.stringify(body);
  return {
    status,
    contentType: headers["content-type"],
    headers,
    text,
    json: body,
    transportError: status === undefined ? "network: ECONNRESET" : undefined,
    milliseconds,
  };
}
const named = (name: string) => example(name);
const answer = (name: string, headers?: Record<string, string>, milliseconds?: number) =>
  observed(named(name).status, named(name).value, headers, milliseconds);
const only = (name: CheckName, input: CheckInput) => checkAnswer(input, new Set([name]));

describe("the checks, one at a time", () => {
  it("every check is named once, in the order of usefulness too", () => {
    expect(new Set(usefulness)).toEqual(new Set(checkNames));
    expect(usefulness).toHaveLength(checkNames.length);
  });

  it("no answer fails `answered` alone, as a violation, and nothing when it is not selected", () => {
    const none = observed(undefined, undefined, {});
    expect(checkAnswer({ expect: "accepted", observed: none })).toEqual([
      { name: "answered", ok: false, severity: "violation", detail: "no answer: network: ECONNRESET" },
    ]);
    expect(checkAnswer({ expect: "accepted", observed: none }, new Set(["status_documented"]))).toEqual([]);
  });

  it("an accepted send passes every check that applies to it, and only those run", () => {
    const results = checkAnswer({ expect: "accepted", observed: answer("accepted") });
    expect(results.map((result) => [result.name, result.ok])).toEqual([
      ["status_documented", true],
      ["content_type_documented", true],
      ["response_headers", true],
      ["response_schema", true],
      ["code_documented", true],
      ["no_server_error", true],
      ["accepts_valid", true],
    ]);
    expect(results.every((result) => result.severity === undefined)).toBe(true);
  });

  it("response_headers: a well-formed Content-Type, UTF-8 for JSON", () => {
    const verdict = (contentType: string | undefined) =>
      only("response_headers", { expect: "documented", observed: answer("accepted", contentType === undefined ? {} : { "content-type": contentType }) })[0]!;
    expect(verdict("application/json").ok).toBe(true);
    expect(verdict("application/json; charset=utf-8").ok).toBe(true);
    expect(verdict('application/json;charset="UTF-8"').ok).toBe(true);
    expect(verdict("application/json; charset=iso-8859-1")).toEqual({
      name: "response_headers",
      ok: false,
      severity: "violation",
      detail: "Content-Type says charset=iso-8859-1; JSON is UTF-8",
    });
    expect(verdict(undefined)).toEqual({ name: "response_headers", ok: false, severity: "violation", detail: "no Content-Type" });
    expect(verdict("json").detail).toBe('Content-Type "json" is not a media type');
    expect(verdict("application/json; charset").ok).toBe(false);
  });

  it("response_time: at the limit passes, one past fails; without a limit it does not run", () => {
    expect(only("response_time", { expect: "documented", observed: answer("accepted", undefined, 150), maxResponseTimeMs: 150 })).toEqual([
      { name: "response_time", ok: true, detail: "150 ms; limit 150 ms" },
    ]);
    expect(only("response_time", { expect: "documented", observed: answer("accepted", undefined, 150.4), maxResponseTimeMs: 150 })).toEqual([
      { name: "response_time", ok: false, severity: "violation", detail: "150 ms; limit 150 ms" },
    ]);
    expect(only("response_time", { expect: "documented", observed: answer("accepted", undefined, 10_000) })).toEqual([]);
  });

  it("unsupported_method: 405 naming POST passes; 2xx is leniency; 405 without it or 404 a violation", () => {
    const method = (status: number, headers: Record<string, string>) =>
      only("unsupported_method", { expect: "unsupported-method", observed: observed(status, {}, headers) })[0]!;
    expect(method(405, { "content-type": json, allow: "GET, post" })).toEqual({ name: "unsupported_method", ok: true, detail: "405, Allow: GET, POST" });
    expect(method(200, { "content-type": json })).toEqual({
      name: "unsupported_method",
      ok: false,
      severity: "leniency",
      detail: "200; the target accepts a method the contract does not document on this path",
    });
    expect(method(299, {}).severity).toBe("leniency");
    expect(method(300, {}).severity).toBe("violation");
    expect(method(405, { allow: "GET" })).toEqual({
      name: "unsupported_method",
      ok: false,
      severity: "violation",
      detail: "405 without an Allow header naming POST",
    });
    expect(method(404, {})).toEqual({ name: "unsupported_method", ok: false, severity: "violation", detail: "404; expected 405 with Allow: POST" });
    // Another method's answer is not held to the operation's documented statuses.
    expect(checkAnswer({ expect: "unsupported-method", observed: observed(405, {}, { allow: "POST" }) }).map((result) => result.name)).toEqual([
      "no_server_error",
      "unsupported_method",
    ]);
  });

  it("rejects_invalid: the wrong refusal is a violation, an acceptance leniency naming the fields", () => {
    const issues = [
      { field: "messaging_object.video.caption", rule: "maxLength", message: "too long" },
      { field: "messaging_object.video.caption", rule: "x", message: "y" },
      { field: "Content-Type", rule: "mediaType", message: "no" },
    ];
    const rejected = (observation: Observed) => only("rejects_invalid", { expect: "rejected", observed: observation, requestIssues: issues })[0]!;
    expect(rejected(answer("incorrect-payload")).ok).toBe(true);
    expect(rejected(answer("accepted"))).toEqual({
      name: "rejects_invalid",
      ok: false,
      severity: "leniency",
      fields: ["messaging_object.video.caption", "Content-Type"],
      detail: "202 WA202; the target accepts a request the contract refuses: messaging_object.video.caption, Content-Type",
    });
    expect(rejected(answer("low-balance"))).toEqual({
      name: "rejects_invalid",
      ok: false,
      severity: "violation",
      detail: "400 E110; expected 400 WA400 for a request the contract refuses",
    });
    const refused = (observation: Observed) => only("rejects_invalid", { expect: "refused", observed: observation })[0]!;
    expect(refused(answer("incorrect-sid-or-api-key")).ok).toBe(true);
    expect(refused(observed(400, { code: "NOPE" })).severity).toBe("violation");
    expect(refused(answer("internal-error")).severity).toBe("violation");
    expect(refused(answer("accepted"))).toEqual({
      name: "rejects_invalid",
      ok: false,
      severity: "leniency",
      fields: [],
      detail: "202 WA202; the target accepts a request the contract refuses",
    });
  });

  it("accepts_valid for recorded traffic: only a refusal as malformed fails it", () => {
    const valid = (name: string) => only("accepts_valid", { expect: "valid", observed: answer(name) })[0]!;
    expect(valid("accepted")).toEqual({ name: "accepts_valid", ok: true, detail: "202 WA202" });
    expect(valid("incorrect-sid-or-api-key").ok).toBe(true);
    expect(valid("incorrect-payload")).toEqual({
      name: "accepts_valid",
      ok: false,
      severity: "violation",
      detail: "400 WA400; refused as malformed, but the contract accepts the request",
    });
  });

  it("no_server_error: 499 passes, 500 fails, and a 5xx asked for by name is not judged", () => {
    expect(only("no_server_error", { expect: "documented", observed: observed(499, {}) })[0]!.ok).toBe(true);
    expect(only("no_server_error", { expect: "documented", observed: answer("internal-error") })[0]!.ok).toBe(false);
    expect(only("no_server_error", { expect: "example:internal-error", observed: answer("internal-error") })).toEqual([]);
  });

  it("auth_enforced and serves_example run only for their kind of request", () => {
    expect(only("auth_enforced", { expect: "unauthorized", observed: answer("incorrect-sid-or-api-key") })[0]!.ok).toBe(true);
    expect(only("auth_enforced", { expect: "unauthorized", observed: answer("phone-number-not-in-account") })[0]!.ok).toBe(false);
    expect(only("auth_enforced", { expect: "accepted", observed: answer("accepted") })).toEqual([]);
    expect(only("serves_example", { expect: "example:low-balance", observed: answer("low-balance") })[0]!.ok).toBe(true);
    expect(only("serves_example", { expect: "example:low-balance", observed: answer("incorrect-payload") })[0]!.ok).toBe(false);
  });

  it("selectChecks: the named ones, less the excluded; unknown names returned", () => {
    expect([...selectChecks(["no_server_error", "answered"], ["answered"]).selected]).toEqual(["no_server_error"]);
    expect(selectChecks(undefined, ["answered"]).selected.size).toBe(checkNames.length - 1);
    expect(selectChecks([], undefined).selected.size).toBe(checkNames.length);
    expect(selectChecks(["nope", "answered"], ["gone"]).unknown).toEqual(["nope", "gone"]);
  });
});

describe("judgeRequest: what a request breaks of the contract", () => {
  const path = operation().path.replace("{sid}", "HXAP16XXXXXX97IN").replace("{phone_number}", "+918630005920");
  const body = JSON.stringify(operation().requestExamples["by-media-id"]);
  const headers = { "content-type": "application/json; charset=utf-8", "api-key": "k" };
  it("places a request: outside the contract, another method, the operation", () => {
    expect(judgeRequest({ method: "POST", path: "/v1/other", headers, body })).toEqual({ kind: "outside" });
    expect(judgeRequest({ method: "get", path, headers, body: "" })).toEqual({ kind: "method", method: "GET" });
    expect(judgeRequest({ method: "POST", path: `${path}?x=1`, headers, body })).toEqual({ kind: "operation", hasKey: true, issues: [] });
  });
  it("names each field: path parameters, media type, JSON, the body's schema, and the key", () => {
    const fields = (request: Partial<Parameters<typeof judgeRequest>[0]>) => {
      const judged = judgeRequest({ method: "POST", path, headers, body, ...request });
      return judged.kind === "operation" ? judged.issues.map((issue) => issue.field) : judged.kind;
    };
    expect(fields({ path: path.replace("HXAP16XXXXXX97IN", "HX-AP") })).toEqual(["path sid"]);
    expect(fields({ path: path.replace("+918630005920", "%ZZ") })).toEqual(["path phone_number"]);
    expect(fields({ headers: { "api-key": "k" } })).toEqual(["Content-Type"]);
    expect(fields({ headers: { "api-key": "k", "content-type": "text/plain" } })).toEqual(["Content-Type"]);
    expect(fields({ body: "" })).toEqual(["(body)"]);
    expect(fields({ body: "{" })).toEqual(["(body)"]);
    expect(fields({ body: JSON.stringify({ messaging_object: {} }) })).toEqual([
      "messaging_object.messaging_product",
      "messaging_object.to",
      "messaging_object.video",
    ]);
    const keyless = judgeRequest({ method: "POST", path, headers: { "content-type": json, "api-key": "  " }, body });
    expect(keyless).toEqual({ kind: "operation", hasKey: false, issues: [] });
  });
});

describe("diagnoses", () => {
  const context = { target: "http://t", mode: "live" as const, sid: "S1", phoneNumber: "+911234567", checksKeys: true };
  const outcome = (
    key: Case["request"]["key"],
    status: number | undefined,
    code: string,
    extra: Partial<Case["request"]> = {},
    category: Case["category"] = "negative",
  ): CaseOutcome => ({
    testCase: {
      category,
      title: "t",
      request: { sid: "S1", phoneNumber: "+911234567", body: "", contentType: json, key, ...extra },
      expect: "rejected",
      mayBeAccepted: false,
    },
    observed: observed(status, { code }),
    checks: [],
    example: undefined,
    curl: "",
  });
  it("the same 401 to every request with the key: after exactly three", () => {
    const refused = () => outcome("account", 401, "RBC001");
    expect(credentialsEvidence).toBe(3);
    expect(diagnoseAnswers([refused(), refused()], context).diagnosis).toBeUndefined();
    expect(diagnoseAnswers([refused(), refused(), refused()], context).diagnosis).toEqual({
      kind: "credentials",
      message: "every request with your key was answered 401 RBC001: KALEYRA_API_KEY or --sid (or --phone-number) is wrong for http://t",
    });
    // Not when one answered otherwise, the codes differ, or the 401s are to a malformed SID.
    expect(diagnoseAnswers([refused(), refused(), refused(), outcome("account", 400, "WA400")], context).diagnosis).toBeUndefined();
    expect(diagnoseAnswers([refused(), refused(), outcome("account", 401, "WA401")], context).diagnosis).toBeUndefined();
    expect(diagnoseAnswers([refused(), refused(), outcome("account", 401, "RBC001", { sid: "S-1" })], context).diagnosis).toBeUndefined();
    expect(diagnoseAnswers([refused(), refused(), outcome("account", 401, "RBC001", { phoneNumber: "+1" })], context).diagnosis).toBeUndefined();
    expect(diagnoseAnswers([outcome("none", 401, "RBC001"), outcome("wrong", 401, "RBC001"), refused(), refused()], context).diagnosis).toBeUndefined();
  });
  it("the --no-account hint: a wrong key taken and a missing one refused, by a target that is not live", () => {
    const probes = (wrong: number, none: number) => [outcome("none", none, "RBC001", {}, "auth"), outcome("wrong", wrong, "WA202", {}, "auth")];
    expect(diagnoseAnswers(probes(202, 401), { ...context, mode: "mock" }).hints).toEqual([expect.stringMatching(/--no-account/)]);
    expect(diagnoseAnswers(probes(299, 401), { ...context, mode: "trusted" }).hints).toHaveLength(1);
    expect(diagnoseAnswers(probes(202, 401), context).hints).toEqual([]);
    expect(diagnoseAnswers(probes(202, 202), { ...context, mode: "mock" }).hints).toEqual([]);
    expect(diagnoseAnswers(probes(300, 401), { ...context, mode: "mock" }).hints).toEqual([]);
    expect(diagnoseAnswers(probes(202, 401), { ...context, mode: "mock", checksKeys: false }).hints).toEqual([]);
  });
  it("says why nothing answered", () => {
    expect(unreachable("http://t", "network: ECONNREFUSED")).toEqual({
      kind: "unreachable",
      message: "nothing is listening at http://t (network: ECONNREFUSED); is the mock running (npm start), or is --target wrong?",
    });
    expect(unreachable("http://t", "network: ENOTFOUND").message).toBe(
      "the host of http://t is not found (DNS) (network: ENOTFOUND); is the mock running (npm start), or is --target wrong?",
    );
    expect(unreachable("http://t", "timeout: no complete answer within 5 ms")).toEqual({
      kind: "silent",
      message: "nothing answered in time at http://t (timeout: no complete answer within 5 ms); is the mock running (npm start), or is --target wrong?",
    });
    expect(unreachable("http://t", "network: ECONNRESET").message).toMatch(/^no answer came from http:\/\/t /);
  });
});

describe("the pacer", () => {
  it("without a limit, no wait; with one, a gap between calls; a stop ends the wait", async () => {
    const stop = new AbortController();
    const free = pacer(undefined, stop.signal);
    // No wait is no timer at all: told by order, not by a stopwatch a busy machine would blur.
    expect(
      await settlesAtOnce(async () => {
        for (let i = 0; i < 5; i++) await free();
      }),
    ).toBe(true);
    const paced = pacer(20, stop.signal);
    // The clock is read before the first call: the pacer counts from that call, and a busy machine
    // may pause this process between the call and any later reading. The first call goes at once.
    const before = performance.now();
    expect(await settlesAtOnce(paced)).toBe(true);
    for (let i = 0; i < 3; i++) await paced();
    expect(performance.now() - before).toBeGreaterThanOrEqual(3 * 50);
    const slow = pacer(0.1, stop.signal);
    await slow();
    const waiting = slow(); // 10 s from now
    expect(
      await settlesAtOnce(async () => {
        stop.abort();
        await waiting;
      }),
    ).toBe(true);
    // Once stopped, a call that would have waited goes at once.
    expect(await settlesAtOnce(slow)).toBe(true);
  });
});

describe("the shared flags", () => {
  it("whole numbers at their bounds", () => {
    expect(wholeFlag(undefined, "n")).toBeUndefined();
    expect(wholeFlag("1", "n", 1, 5)).toBe(1);
    expect(wholeFlag("5", "n", 1, 5)).toBe(5);
    expect(() => wholeFlag("0", "n", 1, 5)).toThrow("--n must be a whole number from 1 to 5");
    expect(() => wholeFlag("6", "n", 1, 5)).toThrow("--n must be a whole number from 1 to 5");
    expect(() => wholeFlag("1.5", "n", 1, 5)).toThrow();
    expect(() => wholeFlag("99999999999999999999", "n")).toThrow();
  });
  it("rates above 0 to 10000", () => {
    expect(rateFlag("10000", "r")).toBe(10_000);
    expect(rateFlag("0.5", "r")).toBe(0.5);
    for (const bad of ["0", "0.0", "10000.01", "-1", "", "1e2", "x"])
      expect(() => rateFlag(bad, "r"), bad).toThrow("--r must be a number of requests a second, above 0 and at most 10000");
  });
  it("base URLs and pods; no credentials, query or fragment", () => {
    expect(baseUrlFlag("http://127.0.0.1:4010/", "target")).toBe("http://127.0.0.1:4010");
    expect(baseUrlFlag("in", "upstream")).toMatch(/^https:\/\//);
    expect(() => baseUrlFlag("ftp://x", "upstream")).toThrow(/^--upstream must be an http\(s\) URL or one of the pods /);
    expect(() => baseUrlFlag("not a url", "upstream")).toThrow(/^--upstream must be an http\(s\) URL/);
    expect(() => baseUrlFlag("http://u:secret@h", "upstream")).toThrow(/^--upstream must not carry a user name or password/);
    expect(() => baseUrlFlag("http://u:secret@h", "upstream")).not.toThrow(/secret/);
    expect(() => baseUrlFlag("http://h/?q", "target")).toThrow("--target must not have a query or fragment");
    expect(() => baseUrlFlag("http://h/#f", "target")).toThrow("--target must not have a query or fragment");
  });
  it("reports and checks", () => {
    expect(reportFlags(["json=a.json", "junit=b.xml"])).toEqual([
      { kind: "json", file: "a.json" },
      { kind: "junit", file: "b.xml" },
    ]);
    expect(reportFlags(undefined)).toEqual([]);
    expect(() => reportFlags(["xml=a"])).toThrow('--report takes junit=FILE or json=FILE, not "xml=a"');
    expect(() => reportFlags(["json="])).toThrow();
    expect(checkFlags(undefined, undefined)).toBeUndefined();
    expect(checkFlags(["answered, no_server_error"], ["answered"])).toEqual(["no_server_error"]);
    expect(() => checkFlags(["nope"], undefined)).toThrow(`unknown check "nope"; the checks are ${checkNames.join(", ")}`);
    expect(() => checkFlags(["answered"], ["answered"])).toThrow("--checks and --exclude-checks leave no check to run");
  });
});

describe("each check's own words", () => {
  const at = (name: CheckName, input: CheckInput) => only(name, input)[0];
  it("says what it saw and what it wanted, pass or fail", () => {
    expect(at("status_documented", { expect: "documented", observed: observed(418, {}) })).toEqual({
      name: "status_documented",
      ok: false,
      severity: "violation",
      detail: `418 is not a documented status (${operation().statuses.join(", ")})`,
    });
    expect(at("status_documented", { expect: "documented", observed: answer("accepted") })).toEqual({ name: "status_documented", ok: true, detail: "202" });
    expect(at("content_type_documented", { expect: "documented", observed: answer("accepted", { "content-type": "text/html" }) })).toEqual({
      name: "content_type_documented",
      ok: false,
      severity: "violation",
      detail: "text/html; documented: application/json",
    });
    expect(at("content_type_documented", { expect: "documented", observed: answer("accepted", {}) })!.detail).toBe("(none); documented: application/json");
    expect(
      at("content_type_documented", { expect: "documented", observed: answer("accepted", { "content-type": "Application/JSON; charset=utf-8" }) })!.ok,
    ).toBe(true);
    expect(at("code_documented", { expect: "documented", observed: observed(202, { code: "WA203" }) })).toEqual({
      name: "code_documented",
      ok: false,
      severity: "violation",
      detail: "WA203; documented for 202: WA202",
    });
    expect(at("code_documented", { expect: "documented", observed: observed(202, { message: "no code" }) })!.detail).toBe(
      "(no code); documented for 202: WA202",
    );
    expect(at("code_documented", { expect: "documented", observed: observed(202, ["WA202"]) })!.detail).toBe("(no code); documented for 202: WA202");
    expect(at("code_documented", { expect: "documented", observed: observed(202, null) })!.detail).toBe("(no code); documented for 202: WA202");
    expect(at("code_documented", { expect: "documented", observed: observed(202, { code: 202 }) })!.detail).toBe("(no code); documented for 202: WA202");
    expect(at("code_documented", { expect: "documented", observed: observed(400, { code: "WA400" }) })!.ok).toBe(true);
    expect(at("code_documented", { expect: "documented", observed: observed(400, { code: "E110" }) })!.ok).toBe(true);
    expect(at("response_schema", { expect: "documented", observed: { ...answer("accepted"), json: undefined } })).toEqual({
      name: "response_schema",
      ok: false,
      severity: "violation",
      detail: "(body) is not JSON",
    });
    expect(at("response_schema", { expect: "documented", observed: observed(202, { code: "WA202" }) })).toEqual({
      name: "response_schema",
      ok: false,
      severity: "violation",
      detail: "message is required; data is required; error is required",
    });
    expect(at("response_schema", { expect: "documented", observed: answer("accepted") })).toEqual({ name: "response_schema", ok: true, detail: "valid" });
    expect(at("no_server_error", { expect: "documented", observed: answer("internal-error") })).toEqual({
      name: "no_server_error",
      ok: false,
      severity: "violation",
      detail: "500",
    });
    expect(at("accepts_valid", { expect: "accepted", observed: answer("incorrect-payload") })).toEqual({
      name: "accepts_valid",
      ok: false,
      severity: "violation",
      detail: "400 WA400; expected 202 WA202 for a request the contract accepts",
    });
    expect(at("accepts_valid", { expect: "accepted", observed: observed(202, { code: "WA203" }) })!.ok).toBe(false);
    expect(at("auth_enforced", { expect: "unauthorized", observed: answer("accepted") })).toEqual({
      name: "auth_enforced",
      ok: false,
      severity: "violation",
      detail: "202 WA202; expected 401 RBC001",
    });
    expect(at("rejects_invalid", { expect: "refused", observed: observed(400, {}) })).toEqual({
      name: "rejects_invalid",
      ok: false,
      severity: "violation",
      detail: "400 (no code); expected a documented 4xx refusal",
    });
    expect(at("rejects_invalid", { expect: "refused", observed: answer("incorrect-payload") })).toEqual({
      name: "rejects_invalid",
      ok: true,
      detail: "400 WA400",
    });
    expect(at("rejects_invalid", { expect: "refused", observed: observed(399, { code: "WA400" }) })!.ok).toBe(false);
    expect(at("rejects_invalid", { expect: "refused", observed: observed(500, { code: "WA500" }) })!.ok).toBe(false);
    expect(at("serves_example", { expect: "example:low-balance", observed: answer("incorrect-payload") })).toEqual({
      name: "serves_example",
      ok: false,
      severity: "violation",
      detail: "400 WA400 (incorrect-payload); asked for low-balance",
    });
    expect(at("serves_example", { expect: "example:low-balance", observed: observed(418, {}) })!.detail).toBe(
      "418 (no code) (no named example); asked for low-balance",
    );
    expect(at("unsupported_method", { expect: "unsupported-method", observed: observed(405, {}, { "content-type": json, allow: "GET,POST" }) })!.ok).toBe(true);
    expect(at("unsupported_method", { expect: "unsupported-method", observed: observed(405, {}, { "content-type": json }) })!.ok).toBe(false);
    expect(at("response_headers", { expect: "documented", observed: answer("accepted", { "content-type": "text/plain; charset=latin1" }) })).toEqual({
      name: "response_headers",
      ok: true,
      detail: "valid",
    });
    expect(
      at("response_headers", { expect: "documented", observed: answer("accepted", { "content-type": "application/problem+json; charset=latin1" }) })!.ok,
    ).toBe(false);
  });

  it("response_headers: every header the contract declares, required and valid against its schema", () => {
    const doc = structuredClone(loadDocument()) as unknown as {
      components: { responses: Record<string, { headers?: unknown }> };
      paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; headers?: unknown }> }>>;
    };
    const responses = doc.paths[operation().path]![operation().method]!.responses;
    const accepted = responses["202"]!;
    const target = accepted.$ref ? doc.components.responses[accepted.$ref.split("/").pop()!]! : accepted;
    target.headers = {
      "X-Request-Id": { required: true, schema: { type: "string", pattern: "^[a-f0-9]{8}$" } },
      "X-RateLimit-Remaining": { schema: { type: "integer", minimum: 0 } },
      "X-Free": { description: "no schema" },
    };
    const contracts = responseContractsOf(doc as never);
    const check = (headers: Record<string, string>) =>
      only("response_headers", { expect: "documented", observed: answer("accepted", { "content-type": json, ...headers }), responses: contracts })[0]!;
    expect(check({ "x-request-id": "0badcafe", "x-ratelimit-remaining": "10", "x-free": "anything" })).toEqual({
      name: "response_headers",
      ok: true,
      detail: "valid",
    });
    expect(check({ "x-request-id": "0badcafe" }).ok).toBe(true);
    expect(check({ "x-request-id": "0badcafe", "x-ratelimit-remaining": "0" }).ok).toBe(true);
    expect(check({}).detail).toBe("x-request-id: required, missing");
    expect(check({ "x-request-id": "NOPE", "x-ratelimit-remaining": "-1" }).detail).toBe(
      'x-request-id: "NOPE" does not match its schema; x-ratelimit-remaining: "-1" does not match its schema',
    );
    expect(check({ "x-request-id": "0badcafe", "x-ratelimit-remaining": " " }).detail).toBe('x-ratelimit-remaining: " " does not match its schema');
    expect(check({ "x-request-id": "0badcafe", "x-ratelimit-remaining": "1.5" }).ok).toBe(false);
    expect(check({ "x-request-id": `${"a".repeat(100)}` }).detail).toBe(`x-request-id: ${JSON.stringify("a".repeat(80))} does not match its schema`);
    // Only the 202 declares them.
    expect(only("response_headers", { expect: "documented", observed: answer("incorrect-payload"), responses: contracts })[0]!.ok).toBe(true);
  });

  it("selectChecks keeps the order of the checks and drops only the excluded", () => {
    expect([...selectChecks(["response_time", "answered"], undefined).selected]).toEqual(["response_time", "answered"]);
    expect(selectChecks(["answered"], []).unknown).toEqual([]);
    expect([...selectChecks(undefined, ["answered", "response_time"]).selected]).toEqual(
      checkNames.filter((name) => name !== "answered" && name !== "response_time"),
    );
  });
});

describe("the request judge's own words", () => {
  const path = operation().path.replace("{sid}", "HXAP16XXXXXX97IN").replace("{phone_number}", "+918630005920");
  const body = JSON.stringify(operation().requestExamples["by-media-id"]);
  const issues = (request: Partial<Parameters<typeof judgeRequest>[0]>) => {
    const judged = judgeRequest({ method: "POST", path, headers: { "content-type": json, "api-key": "k" }, body, ...request });
    return judged.kind === "operation" ? judged.issues : judged;
  };
  it("names each problem exactly", () => {
    expect(issues({ path: path.replace("+918630005920", "%E0%A4%A") })).toEqual([
      { field: "path phone_number", rule: "encoding", message: "is not valid percent-encoding" },
    ]);
    expect(issues({ headers: { "api-key": "k", "content-type": "text/plain" } })).toEqual([
      { field: "Content-Type", rule: "mediaType", message: "text/plain is not application/json" },
    ]);
    expect(issues({ headers: { "api-key": "k" } })).toEqual([{ field: "Content-Type", rule: "mediaType", message: "(none) is not application/json" }]);
    expect(issues({ body: "" })).toEqual([{ field: "(body)", rule: "json", message: "is empty" }]);
    expect(issues({ body: "{" })).toEqual([{ field: "(body)", rule: "json", message: "is not JSON" }]);
    expect(judgeRequest({ method: "POST", path, headers: { "content-type": json }, body })).toEqual({ kind: "operation", hasKey: false, issues: [] });
  });
});

describe("recorded exchanges", () => {
  const path = operation().path.replace("{sid}", "HXAP16XXXXXX97IN").replace("{phone_number}", "%2B918630005920");
  const body = JSON.stringify(operation().requestExamples["by-media-id"]);
  const record = (request: Partial<ExchangeRecord["request"]>, response: ExchangeRecord["response"], extra: Partial<ExchangeRecord> = {}) => ({
    seq: 7,
    request: { method: "POST", path, headers: { "content-type": json, "api-key": "***" }, body, ...request },
    response,
    error: null,
    milliseconds: 12,
    ...extra,
  });
  const reply = (name: string, headers: Record<string, string> = { "content-type": json }) => ({
    status: named(name).status,
    headers,
    body: JSON.stringify(named(name).value),
  });

  it("judges each as its request deserves: valid, refused, unauthorized, another method, outside", () => {
    const valid = judgeExchange(record({}, reply("accepted")), "http://pod");
    expect(valid.contract).toBe("operation");
    expect(valid.outcome!.testCase).toEqual({
      category: "recorded",
      title: `#7 POST ${path}`,
      request: { method: "POST", sid: "HXAP16XXXXXX97IN", phoneNumber: "+918630005920", body, contentType: json, key: "account" },
      expect: "valid",
      mayBeAccepted: false,
    });
    expect(valid.outcome!.example).toBe("accepted");
    expect(valid.outcome!.curl).toBe(
      `curl -X POST 'http://pod${path.replace("%2B", "+")}' -H 'accept: application/json' -H 'content-type: application/json' -H "api-key: $KALEYRA_API_KEY" --data-raw '${body}'`,
    );
    expect(valid.outcome!.checks.every((check) => check.ok)).toBe(true);
    const keyless = judgeExchange(record({ headers: { "content-type": json } }, reply("incorrect-sid-or-api-key")), "http://pod");
    expect([keyless.outcome!.testCase.expect, keyless.outcome!.testCase.request.key]).toEqual(["unauthorized", "none"]);
    const refused = judgeExchange(record({ body: "{}" }, reply("accepted")), "http://pod");
    expect(refused.outcome!.testCase.expect).toBe("refused");
    expect(findingsOf(refused.outcome)).toEqual([
      {
        check: "rejects_invalid",
        severity: "leniency",
        detail: "202 WA202; the target accepts a request the contract refuses: messaging_object",
        fields: ["messaging_object"],
      },
    ]);
    const method = judgeExchange(record({ method: "GET", body: "" }, { status: 405, headers: { allow: "POST" }, body: "" }), "http://pod");
    expect([method.contract, method.outcome!.testCase.expect, method.outcome!.testCase.request.key]).toEqual(["method", "unsupported-method", "account"]);
    expect(judgeExchange(record({ path: "/v1/other" }, reply("accepted")), "http://pod")).toEqual({ contract: "outside", outcome: undefined });
  });

  it("an answer that did not come, or is not JSON, is judged as such; the limits and selection apply", () => {
    const silent = judgeExchange(record({}, null, { error: null }), "http://pod");
    expect(silent.outcome!.observed).toEqual({
      status: undefined,
      contentType: undefined,
      headers: {},
      text: "",
      json: undefined,
      transportError: "no answer",
      milliseconds: 12,
    });
    const html = judgeExchange(record({}, { status: 202, headers: { "content-type": "text/html" }, body: "<p>ok</p>" }), "http://pod");
    expect(html.outcome!.observed.json).toBeUndefined();
    expect(findingsOf(html.outcome).map((finding) => finding.check)).toEqual(["content_type_documented", "response_schema", "code_documented"]);
    expect(findingsOf(html.outcome)[0]).toEqual({ check: "content_type_documented", severity: "violation", detail: "text/html; documented: application/json" });
    const slow = judgeExchange(record({}, reply("accepted"), { milliseconds: 500 }), "http://pod", {
      maxResponseTimeMs: 100,
      selected: new Set(["response_time"]),
    });
    expect(slow.outcome!.checks).toEqual([{ name: "response_time", ok: false, severity: "violation", detail: "500 ms; limit 100 ms" }]);
    expect(judgeExchange(record({}, reply("accepted"), { milliseconds: 500 }), "http://pod").outcome!.checks.map((check) => check.name)).not.toContain(
      "response_time",
    );
  });

  it("sums up as a run's result", () => {
    const outcome = judgeExchange(record({ body: "{}" }, reply("accepted")), "http://pod").outcome!;
    const strict = recordedResult({ target: "http://pod", outcomes: [outcome], exchanges: 3, outside: 2, lenient: false, file: "t.ndjson" });
    expect(strict).toEqual({
      target: "http://pod",
      mode: "live",
      remote: true,
      seed: 0,
      outcomes: [outcome],
      shrunk: undefined,
      acceptableSent: 0,
      requestsSent: 0,
      interrupted: undefined,
      callbacks: undefined,
      diagnosis: undefined,
      hints: [],
      lenient: false,
      recording: { exchanges: 3, outside: 2, file: "t.ndjson" },
      ok: false,
    });
    expect(recordedResult({ target: "http://pod", outcomes: [outcome], exchanges: 1, outside: 0, lenient: true }).ok).toBe(true);
    // --lenient forgives leniency, never a violation.
    const violating = judgeExchange(record({}, reply("internal-error")), "http://pod").outcome!;
    expect(recordedResult({ target: "http://pod", outcomes: [violating], exchanges: 1, outside: 0, lenient: true }).ok).toBe(false);
    expect(
      recordedResult({
        target: "http://pod",
        outcomes: [judgeExchange(record({}, reply("accepted")), "http://pod").outcome!],
        exchanges: 1,
        outside: 0,
        lenient: false,
      }).ok,
    ).toBe(true);
    // Another method's request is not judged by the operation's request rules.
    const method = judgeExchange(record({ method: "PUT", body: "{" }, { status: 200, headers: {}, body: "" }), "http://pod").outcome!;
    expect(method.checks.find((check) => check.name === "unsupported_method")).toEqual({
      name: "unsupported_method",
      ok: false,
      severity: "leniency",
      detail: "200; the target accepts a method the contract does not document on this path",
    });
    expect(recordedResult({ target: "http://pod", outcomes: [outcome], exchanges: 1, outside: 0, lenient: true }).recording).toEqual({
      exchanges: 1,
      outside: 0,
    });
  });

  it("a replay refuses a line that is not a whole exchange record, naming it", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const good = { kind: "exchange", version: 1, at: "", upstream: "http://pod", ...record({}, reply("accepted")), contract: "operation", findings: [] };
    const broken = [
      null,
      { ...good, kind: "other" },
      { ...good, seq: "1" },
      { ...good, request: null },
      { ...good, request: { ...good.request, method: 1 } },
      { ...good, request: { ...good.request, path: 1 } },
      { ...good, request: { ...good.request, body: 1 } },
      { ...good, request: { ...good.request, headers: "x" } },
      { ...good, response: "x" },
      { ...good, response: { ...good.response, status: "202" } },
      { ...good, response: { ...good.response, body: 1 } },
      { ...good, response: { status: 202, body: "" } },
      { ...good, milliseconds: "12" },
      // Odd types inside: each would fail judging rather than be named.
      { ...good, request: { ...good.request, headers: null } },
      { ...good, request: { ...good.request, headers: ["content-type"] } },
      { ...good, request: { ...good.request, headers: { "content-type": 5 } } },
      { ...good, response: { ...good.response, headers: null } },
      { ...good, response: { ...good.response, headers: { "content-type": ["application/json"] } } },
      { ...good, error: 5 },
    ];
    const folder = mkdtempSync(join(tmpdir(), "replay-"));
    const mask = (text: string) => text.replaceAll("s3cret-key", "***");
    for (const [index, line] of broken.entries()) {
      const file = join(folder, `${index}.ndjson`);
      writeFileSync(file, `${JSON.stringify(good)}\n\n${JSON.stringify(line)}\n`);
      await expect(replayRecording(file, { lenient: false, mask }), String(index)).rejects.toThrow(`line 3 of ${file} is not an exchange record`);
    }
    // A line of exactly the longest a record may be is read; one character more is refused.
    const padded = (length: number) => {
      const base = JSON.stringify({ ...good, at: "" });
      return JSON.stringify({ ...good, at: "x".repeat(length - base.length) });
    };
    const atLimit = join(folder, "limit.ndjson");
    writeFileSync(atLimit, `${padded(maxRecordLine)}\n`);
    expect((await replayRecording(atLimit, { lenient: false, mask })).recording!.exchanges).toBe(1);
    writeFileSync(atLimit, `${padded(maxRecordLine + 1)}\n`);
    await expect(replayRecording(atLimit, { lenient: false, mask })).rejects.toThrow(`line 1 of ${atLimit} is longer than ${maxRecordLine} characters`);
    const notJson = join(folder, "text.ndjson");
    writeFileSync(notJson, "not json\n");
    await expect(replayRecording(notJson, { lenient: false, mask })).rejects.toThrow(
      `line 1 of ${notJson} is not JSON; a recording is one JSON record a line (kaleyra-video proxy --record)`,
    );
    const anonymous = join(folder, "anonymous.ndjson");
    writeFileSync(anonymous, `${JSON.stringify({ ...good, upstream: 7 })}\n`);
    expect((await replayRecording(anonymous, { lenient: false, mask })).target).toBe("the recorded target");
    const empty = join(folder, "empty.ndjson");
    writeFileSync(empty, "\n  \n");
    expect(await replayRecording(empty, { lenient: false, mask })).toMatchObject({
      target: "the recorded target",
      recording: { exchanges: 0, outside: 0 },
      ok: true,
    });
    const file = join(folder, "good.ndjson");
    writeFileSync(
      file,
      `${JSON.stringify({ ...good, request: { ...good.request, body: good.request.body.replace("1166846181421424", "s3cret-key") } })}\n${JSON.stringify({ ...good, upstream: "http://other", request: { ...good.request, path: "/v1/x" } })}\n`,
    );
    const result = await replayRecording(file, { lenient: false, mask });
    expect(result.target).toBe("http://pod");
    expect(result.recording).toEqual({ exchanges: 2, outside: 1, file });
    expect(result.outcomes[0]!.testCase.request.body).not.toContain("s3cret-key");
  });
});

describe("diagnoses: which requests count", () => {
  const context = { target: "http://t", mode: "mock" as const, sid: "S1", phoneNumber: "+911234567", checksKeys: true };
  const outcome = (key: "account" | "none" | "wrong", status: number, category: "auth" | "negative" = "negative"): CaseOutcome => ({
    testCase: {
      category,
      title: "t",
      request: { sid: "S1", phoneNumber: "+911234567", body: "", contentType: json, key },
      expect: "rejected",
      mayBeAccepted: false,
    },
    observed: observed(status, { code: "RBC001" }),
    checks: [],
    example: undefined,
    curl: "",
  });
  it("only requests with the user's key, and only the auth probes for the hint", () => {
    expect(diagnoseAnswers([outcome("wrong", 401), outcome("wrong", 401), outcome("wrong", 401)], context).diagnosis).toBeUndefined();
    expect(diagnoseAnswers([outcome("none", 401), outcome("none", 401), outcome("none", 401)], context).diagnosis).toBeUndefined();
    expect(
      diagnoseAnswers(
        [
          { ...outcome("account", 401), observed: observed(401, { message: "no code" }) },
          { ...outcome("account", 401), observed: observed(401, { message: "no code" }) },
          { ...outcome("account", 401), observed: observed(401, { message: "no code" }) },
        ],
        context,
      ).diagnosis!.message,
    ).toBe("every request with your key was answered 401: KALEYRA_API_KEY or --sid (or --phone-number) is wrong for http://t");
    // Probes that are not the auth category do not make the hint.
    expect(diagnoseAnswers([outcome("none", 401), outcome("wrong", 202)], context).hints).toEqual([]);
    expect(diagnoseAnswers([outcome("none", 401, "auth"), outcome("wrong", 200, "auth")], context).hints).toHaveLength(1);
    expect(diagnoseAnswers([outcome("none", 401, "auth"), outcome("wrong", 199, "auth")], context).hints).toEqual([]);
  });
});

describe("the shared flags' edges", () => {
  it("refuse what only looks like a number, a target, or a report", () => {
    for (const bad of ["1x", "x1", " 1", "9007199254740993"])
      expect(() => wholeFlag(bad, "n"), bad).toThrow("--n must be a whole number from 0 to 9007199254740991");
    expect(() => rateFlag("1.", "r")).toThrow();
    expect(() => rateFlag(".5", "r")).toThrow();
    expect(rateFlag("0.25", "r")).toBe(0.25);
    expect(() => baseUrlFlag("ftp://x", "upstream")).toThrow(`--upstream must be an http(s) URL or one of the pods ${Object.keys(podUrls()).join(", ")}`);
    expect(baseUrlFlag("https://h.example", "target")).toBe("https://h.example");
    expect(baseUrlFlag("http://h.example//", "target")).toBe("http://h.example");
    expect(() => baseUrlFlag("http://user@h", "target")).toThrow(
      "--target must not carry a user name or password (http://***@h/); the kit sends the api-key, and nothing else, as credentials",
    );
    expect(() => baseUrlFlag("http://:pw@h", "target")).toThrow(/must not carry a user name or password/);
    expect(() => baseUrlFlag("http://h/?", "target")).toThrow("--target must not have a query or fragment");
    expect(() => baseUrlFlag("http://h/?a", "target")).toThrow("--target must not have a query or fragment");
    expect(() => reportFlags(["x"])).toThrow('--report takes junit=FILE or json=FILE, not "x"');
    expect(checkFlags(["answered,,", " no_server_error "], undefined)).toEqual(["answered", "no_server_error"]);
    expect(checkFlags(undefined, ["answered"])).toEqual(checkNames.filter((name) => name !== "answered"));
    expect(() => checkFlags([`${"x".repeat(50)}`], undefined)).toThrow(`unknown check ${JSON.stringify("x".repeat(40))}; the checks are`);
  });
});

describe("the words of what a check or the request judge found, at their edges", () => {
  it("a charset written without a space after `;` is read too", () => {
    const verdict = (contentType: string) =>
      only("response_headers", { expect: "documented", observed: answer("accepted", { "content-type": contentType }) })[0]!;
    expect(verdict("application/json;charset=iso-8859-1").detail).toBe("Content-Type says charset=iso-8859-1; JSON is UTF-8");
    expect(verdict("application/json;  charset=windows-1252").detail).toBe("Content-Type says charset=windows-1252; JSON is UTF-8");
  });

  it("a request with no Content-Type is named as such", () => {
    const path = operation().path.replace("{sid}", "HXAP16XXXXXX97IN").replace("{phone_number}", "+918630005920");
    expect(judgeRequest({ method: "POST", path, headers: { "api-key": "k" }, body: "{}" })).toEqual({
      kind: "operation",
      hasKey: true,
      issues: [
        { field: "Content-Type", rule: "mediaType", message: "(none) is not application/json" },
        { field: "messaging_object", rule: "required", message: "is required" },
      ],
    });
  });
});

describe("one case on the wire", () => {
  const request = (extra: Partial<CaseRequest> = {}): CaseRequest => ({
    sid: "HX/1 2",
    phoneNumber: "+91 800",
    body: `{"a":"it's"}`,
    contentType: "application/json",
    key: "account",
    ...extra,
  });

  it("the path keeps + literal and percent-encodes the rest; the headers follow the case's key", async () => {
    const { pathFor, headersFor } = await import("../src/judge/wire.ts");
    expect(pathFor(request())).toBe("/v2/HX%2F1%202/whatsapp/+91%20800/messages");
    expect(headersFor(request(), "K")).toEqual({ accept: "application/json", "content-type": "application/json", "api-key": "K" });
    expect(headersFor(request({ key: "wrong", prefer: "code=401" }), "K")).toEqual({
      accept: "application/json",
      "content-type": "application/json",
      "api-key": "conformance-wrong-key-0000000000",
      prefer: "code=401",
    });
    expect(headersFor(request({ key: "none", contentType: undefined }), "K")).toEqual({ accept: "application/json" });
  });

  it("the curl line quotes for a shell, reads the key from the environment, and sends no body for a bodiless other method", async () => {
    const { curlFor } = await import("../src/judge/wire.ts");
    expect(curlFor("http://h:1//", request())).toBe(
      `curl -X POST 'http://h:1/v2/HX%2F1%202/whatsapp/+91%20800/messages' -H 'accept: application/json' -H 'content-type: application/json' -H "api-key: $KALEYRA_API_KEY" --data-raw '{"a":"it'\\''s"}'`,
    );
    expect(curlFor("http://h:1", request({ key: "wrong", method: "GET", body: "", contentType: undefined }))).toBe(
      `curl -X GET 'http://h:1/v2/HX%2F1%202/whatsapp/+91%20800/messages' -H 'accept: application/json' -H 'api-key: conformance-wrong-key-0000000000'`,
    );
    expect(curlFor("http://h:1", request({ key: "none", body: "" }))).toBe(
      `curl -X POST 'http://h:1/v2/HX%2F1%202/whatsapp/+91%20800/messages' -H 'accept: application/json' -H 'content-type: application/json' --data-raw ''`,
    );
  });

  it("sendCase: what came back, JSON parsed and masked, or why nothing did", async () => {
    const { sendCase } = await import("./send.ts");
    const { createServer } = await import("node:http");
    const seen: string[] = [];
    const server = createServer((incoming, response) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        seen.push(`${incoming.method} ${incoming.url} ${incoming.headers["content-length"]} ${Buffer.concat(chunks).toString()}`);
        const json = incoming.method === "POST";
        response
          .writeHead(400, { "content-type": json ? "application/json" : "text/plain" })
          .end(json ? '{"code":"WA400","message":"bad \\u0053ECRET-KEY-1"}' : "plain");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    // The key escaped inside a JSON string is whole only once the JSON is parsed: masked then too.
    const limits = { timeoutMs: 5_000, maxResponseBytes: 1024, mask: (text: string) => text.replaceAll("SECRET-KEY-1", "***") };
    try {
      const answered = await sendCase(url, request({ sid: "HX1", phoneNumber: "+91" }), "SECRET-KEY-1", limits);
      expect([answered.status, answered.contentType, answered.json, answered.transportError]).toEqual([
        400,
        "application/json",
        { code: "WA400", message: "bad ***" },
        undefined,
      ]);
      const plain = await sendCase(url, request({ sid: "HX1", phoneNumber: "+91", method: "PUT", body: "" }), "SECRET-KEY-1", limits);
      expect([plain.status, plain.text, plain.json]).toEqual([400, "plain", undefined]);
      expect(seen).toEqual([`POST /v2/HX1/whatsapp/+91/messages 12 {"a":"it's"}`, "PUT /v2/HX1/whatsapp/+91/messages 0 "]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const refused = await sendCase("http://127.0.0.1:9", request({ sid: "HX1", phoneNumber: "+91" }), "K", limits);
    expect([refused.status, refused.headers, refused.text, refused.transportError]).toEqual([undefined, {}, "", "network: ECONNREFUSED"]);
  });
});

describe("the plan, whole", () => {
  const sid = "HXAP16XXXXXX97IN";
  const phoneNumber = "+918630005920";
  const to = "+919876543210";
  const rows = (plan: Case[]) =>
    plan.map((c) =>
      [
        c.category,
        c.title,
        c.expect,
        c.mayBeAccepted,
        c.request.key,
        c.request.contentType ?? "-",
        c.request.method ?? "POST",
        c.request.prefer ?? "-",
        c.request.sid === sid && c.request.phoneNumber === phoneNumber ? "path ok" : `${c.request.sid} ${c.request.phoneNumber}`,
      ].join(" | "),
    );

  it("a full plan for a mock: every probe, example, boundary, negative, method and Prefer, in order", async () => {
    const { buildPlan } = await import("./plan.ts");
    expect(rows(buildPlan({ sid, phoneNumber, to, allowSend: true, recipientFixed: false, checksKeys: true, preferExamples: true }))).toMatchInlineSnapshot(`
      [
        "auth | no api-key | unauthorized | false | none | application/json | POST | - | path ok",
        "auth | wrong api-key | unauthorized | false | wrong | application/json | POST | - | path ok",
        "example | request example by-media-id | accepted | true | account | application/json | POST | - | path ok",
        "example | request example by-link | accepted | true | account | application/json | POST | - | path ok",
        "example | request example with-extra-info | accepted | true | account | application/json | POST | - | path ok",
        "boundary | messaging_object.messaging_product: enum value "whatsapp" | accepted | true | account | application/json | POST | - | path ok",
        "boundary | messaging_object.recipient_type: enum value "individual" | accepted | true | account | application/json | POST | - | path ok",
        "boundary | messaging_object.recipient_type: optional, omitted | accepted | true | account | application/json | POST | - | path ok",
        "boundary | messaging_object.to: longest the pattern allows (16) | accepted | true | account | application/json | POST | - | path ok",
        "boundary | messaging_object.to: shortest the pattern allows (8) | accepted | true | account | application/json | POST | - | path ok",
        "boundary | messaging_object.type: enum value "video" | accepted | true | account | application/json | POST | - | path ok",
        "boundary | messaging_object.type: optional, omitted | accepted | true | account | application/json | POST | - | path ok",
        "boundary | messaging_object.video.caption: at maxLength 1024 | accepted | true | account | application/json | POST | - | path ok",
        "boundary | messaging_object.video.caption: optional, omitted | accepted | true | account | application/json | POST | - | path ok",
        "negative | (body): wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object: required, missing | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.messaging_product: required, missing | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.to: required, missing | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video: required, missing | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.messaging_product: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.messaging_product: outside enum ("Whatsapp") | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.messaging_product: outside enum ("whatsapp-other") | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.recipient_type: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.recipient_type: outside enum ("Individual") | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.recipient_type: outside enum ("individual-other") | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.to: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.to: breaks pattern | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.to: one past the pattern's longest (17) | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.to: one below the pattern's shortest (7) | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.type: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.type: outside enum ("Video") | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.type: outside enum ("video-other") | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video: none of the oneOf alternatives | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video: more than one oneOf alternative | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.id: required, missing | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video: unknown property | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.id: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.id: below minLength 1 | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.caption: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.caption: maxLength 1024 + 1 | rejected | false | account | application/json | POST | - | path ok",
        "boundary | messaging_object.video.link: shortest the pattern allows (9) | accepted | true | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: required, missing | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: breaks pattern | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: one below the pattern's shortest (8) | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: not a URI | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: port that is not a number | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: two ports | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: user info with a second @ | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: empty host | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: malformed percent-escape | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: space in the path | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: unclosed IPv6 bracket | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: backslash for a slash | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: two fragments | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: character outside URIs (<) | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: non-ASCII character | rejected | false | account | application/json | POST | - | path ok",
        "boundary | extra_info.ref: at maxLength 255 | accepted | true | account | application/json | POST | - | path ok",
        "boundary | extra_info.ref: optional, omitted | accepted | true | account | application/json | POST | - | path ok",
        "boundary | extra_info.ref1: at maxLength 255 | accepted | true | account | application/json | POST | - | path ok",
        "boundary | extra_info.ref1: optional, omitted | accepted | true | account | application/json | POST | - | path ok",
        "boundary | extra_info.ref2: at maxLength 255 | accepted | true | account | application/json | POST | - | path ok",
        "boundary | extra_info.ref2: optional, omitted | accepted | true | account | application/json | POST | - | path ok",
        "boundary | extra_info.wa_source: optional, omitted | accepted | true | account | application/json | POST | - | path ok",
        "boundary | extra_info: optional, omitted | accepted | true | account | application/json | POST | - | path ok",
        "negative | extra_info: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.ref: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.ref: maxLength 255 + 1 | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.ref1: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.ref1: maxLength 255 + 1 | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.ref2: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.ref2: maxLength 255 + 1 | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.wa_source: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | path sid: breaks pattern | refused | true | account | application/json | POST | - | HXAP16XXXXXX97IN  +918630005920",
        "negative | path phone_number: breaks pattern | refused | true | account | application/json | POST | - | HXAP16XXXXXX97IN 918630005920",
        "negative | path phone_number: one past the pattern's longest (17) | refused | true | account | application/json | POST | - | HXAP16XXXXXX97IN +9186300059200000",
        "negative | path phone_number: one below the pattern's shortest (7) | refused | true | account | application/json | POST | - | HXAP16XXXXXX97IN +918630",
        "negative | malformed JSON | rejected | false | account | application/json | POST | - | path ok",
        "negative | empty body | rejected | false | account | application/json | POST | - | path ok",
        "negative | JSON null | rejected | false | account | application/json | POST | - | path ok",
        "negative | valid JSON as text/plain | rejected | true | account | text/plain | POST | - | path ok",
        "negative | valid JSON with no Content-Type | documented | true | account | - | POST | - | path ok",
        "method | GET on the operation's path | unsupported-method | false | account | - | GET | - | path ok",
        "method | PUT on the operation's path | unsupported-method | false | account | - | PUT | - | path ok",
        "method | PATCH on the operation's path | unsupported-method | false | account | - | PATCH | - | path ok",
        "method | DELETE on the operation's path | unsupported-method | false | account | - | DELETE | - | path ok",
        "example | Prefer example accepted | example:accepted | true | account | application/json | POST | code=202, example=accepted | path ok",
        "example | Prefer example incorrect-payload | example:incorrect-payload | true | account | application/json | POST | code=400, example=incorrect-payload | path ok",
        "example | Prefer example low-balance | example:low-balance | true | account | application/json | POST | code=400, example=low-balance | path ok",
        "example | Prefer example incorrect-sid-or-api-key | example:incorrect-sid-or-api-key | true | account | application/json | POST | code=401, example=incorrect-sid-or-api-key | path ok",
        "example | Prefer example phone-number-not-in-account | example:phone-number-not-in-account | true | account | application/json | POST | code=401, example=phone-number-not-in-account | path ok",
        "example | Prefer example account-not-enabled | example:account-not-enabled | true | account | application/json | POST | code=401, example=account-not-enabled | path ok",
        "example | Prefer example phone-number-other-version | example:phone-number-other-version | true | account | application/json | POST | code=401, example=phone-number-other-version | path ok",
        "example | Prefer example internal-error | example:internal-error | true | account | application/json | POST | code=500, example=internal-error | path ok",
      ]
    `);
  });

  it("the safe plan: nothing a real pod would deliver, and every acceptable request to the one recipient", async () => {
    const { buildPlan } = await import("./plan.ts");
    const safe = buildPlan({ sid, phoneNumber, to, allowSend: false, recipientFixed: true, checksKeys: true });
    expect(safe.filter((c) => c.mayBeAccepted)).toEqual([]);
    expect(rows(safe)).toMatchInlineSnapshot(`
      [
        "auth | no api-key | unauthorized | false | none | application/json | POST | - | path ok",
        "auth | wrong api-key | unauthorized | false | wrong | application/json | POST | - | path ok",
        "negative | (body): wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object: required, missing | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.messaging_product: required, missing | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.to: required, missing | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video: required, missing | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.messaging_product: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.messaging_product: outside enum ("Whatsapp") | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.messaging_product: outside enum ("whatsapp-other") | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.recipient_type: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.recipient_type: outside enum ("Individual") | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.recipient_type: outside enum ("individual-other") | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.to: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.to: breaks pattern | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.to: one past the pattern's longest (17) | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.to: one below the pattern's shortest (7) | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.type: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.type: outside enum ("Video") | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.type: outside enum ("video-other") | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video: none of the oneOf alternatives | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video: more than one oneOf alternative | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.id: required, missing | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video: unknown property | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.id: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.id: below minLength 1 | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.caption: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.caption: maxLength 1024 + 1 | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: required, missing | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: breaks pattern | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: one below the pattern's shortest (8) | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: not a URI | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: port that is not a number | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: two ports | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: user info with a second @ | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: empty host | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: malformed percent-escape | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: space in the path | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: unclosed IPv6 bracket | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: backslash for a slash | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: two fragments | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: character outside URIs (<) | rejected | false | account | application/json | POST | - | path ok",
        "negative | messaging_object.video.link: non-ASCII character | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.ref: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.ref: maxLength 255 + 1 | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.ref1: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.ref1: maxLength 255 + 1 | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.ref2: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.ref2: maxLength 255 + 1 | rejected | false | account | application/json | POST | - | path ok",
        "negative | extra_info.wa_source: wrong type | rejected | false | account | application/json | POST | - | path ok",
        "negative | malformed JSON | rejected | false | account | application/json | POST | - | path ok",
        "negative | empty body | rejected | false | account | application/json | POST | - | path ok",
        "negative | JSON null | rejected | false | account | application/json | POST | - | path ok",
        "method | GET on the operation's path | unsupported-method | false | account | - | GET | - | path ok",
        "method | PUT on the operation's path | unsupported-method | false | account | - | PUT | - | path ok",
        "method | PATCH on the operation's path | unsupported-method | false | account | - | PATCH | - | path ok",
        "method | DELETE on the operation's path | unsupported-method | false | account | - | DELETE | - | path ok",
      ]
    `);
    const allowed = buildPlan({ sid, phoneNumber, to, allowSend: true, recipientFixed: true, checksKeys: false });
    // No wrong-key probe for a target that checks no keys; every acceptable request goes to `to`.
    expect(allowed.some((c) => c.title === "wrong api-key")).toBe(false);
    const recipients = new Set(
      allowed.filter((c) => c.expect === "accepted").map((c) => (JSON.parse(c.request.body) as { messaging_object: { to: string } }).messaging_object.to),
    );
    expect([...recipients]).toEqual([to]);
  });

  it("addressed sets the recipient only where the body has one; couldDeliver reads a body leniently, with the run's key only", async () => {
    const { addressed, couldDeliver, requestExamples } = await import("./plan.ts");
    const body = requestExamples()["by-media-id"]!;
    expect((addressed(body, "+1") as { messaging_object: { to: string } }).messaging_object.to).toBe("+1");
    expect(body).toEqual(requestExamples()["by-media-id"]);
    for (const other of [null, 5, "x", {}, { messaging_object: null }, { messaging_object: { to: 5 } }] as const)
      expect(addressed(other as never, "+1")).toEqual(other);
    const text = JSON.stringify(body);
    const request = (extra: Partial<CaseRequest>): CaseRequest => ({ sid, phoneNumber, body: text, contentType: "text/plain", key: "account", ...extra });
    expect([
      couldDeliver(request({})),
      couldDeliver(request({ body: `\uFEFF${text}` })),
      couldDeliver(request({ key: "wrong" })),
      couldDeliver(request({ key: "none" })),
      couldDeliver(request({ body: "{" })),
      couldDeliver(request({ body: "{}" })),
    ]).toEqual([true, true, false, false, false, false]);
  });
});

describe("derived values, checked against the contract they come from", () => {
  it("each negative breaks only the constraint its title names, at that field; each boundary is valid, at the length its title says", async () => {
    const { derive } = await import("./derive.ts");
    const { resolver } = await import("../src/judge/schema.ts");
    const { operation } = await import("../src/contract/operation.ts");
    const { contractSchemas } = await import("../src/contract/schemas.ts");
    const contract = operation();
    const schemas = contractSchemas();
    const resolve = resolver(loadDocument());
    const valueAt = (value: unknown, field: string) =>
      field.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
    let negatives = 0;
    let measured = 0;
    for (const example of Object.values(contract.requestExamples)) {
      const derived = derive({ $ref: contract.requestSchemaPointer }, example as never, resolve);
      for (const negative of derived.negatives) {
        const field = negative.title.slice(0, negative.title.indexOf(": "));
        const issues = schemas.issues(contract.requestSchemaPointer, negative.value);
        expect(issues.length, negative.title).toBeGreaterThan(0);
        // At that field, at the oneOf above it that no alternative then matches, or (an unknown
        // property) at the property added to it.
        const at = (issue: { field: string; rule: string }) =>
          issue.field === field ||
          (issue.rule === "oneOf" && field.startsWith(`${issue.field}.`)) ||
          (issue.rule === "additionalProperties" && issue.field.startsWith(`${field}.`));
        for (const issue of issues) expect(at(issue), `${negative.title}: ${issue.field} ${issue.rule}`).toBe(true);
        negatives++;
        const length =
          /maxLength (\d+) \+ 1$|one past the pattern's longest \((\d+)\)$|one below the pattern's shortest \((\d+)\)$|below minLength (\d+)$/.exec(
            negative.title,
          );
        if (length) {
          const [, past, longest, shortest, min] = length;
          const expected = past ? Number(past) + 1 : longest ? Number(longest) : shortest ? Number(shortest) : Number(min) - 1;
          expect((valueAt(negative.value, field) as string).length, negative.title).toBe(expected);
          measured++;
        }
      }
      for (const boundary of derived.boundaries) {
        expect(schemas.issues(contract.requestSchemaPointer, boundary.value), boundary.title).toEqual([]);
        const field = boundary.title.slice(0, boundary.title.indexOf(": "));
        const length = /at maxLength (\d+)$|the pattern allows \((\d+)\)$/.exec(boundary.title);
        if (length) {
          expect((valueAt(boundary.value, field) as string).length, boundary.title).toBe(Number(length[1] ?? length[2]));
          measured++;
        }
        if (boundary.title.endsWith("optional, omitted")) expect(valueAt(boundary.value, field), boundary.title).toBeUndefined();
      }
    }
    // Enough of each kind to mean something (the plan's own snapshot lists them by title).
    expect(negatives).toBeGreaterThan(60);
    expect(measured).toBeGreaterThan(15);
  });

  it("a URI bent at each place lax checks accept, its user info, port and path kept apart", async () => {
    const { uriEdges } = await import("./derive.ts");
    expect(uriEdges("https://u:p@example.org:8080/v.mp4?x=1")).toEqual([
      ["port that is not a number", "https://example.org:port/v.mp4?x=1"],
      ["two ports", "https://example.org:80:80/v.mp4?x=1"],
      ["user info with a second @", "https://user@evil@example.org/v.mp4?x=1"],
      ["empty host", "https:///v.mp4?x=1"],
      ["malformed percent-escape", "https://example.org/%zz/v.mp4?x=1"],
      ["space in the path", "https://example.org/a b/v.mp4?x=1"],
      ["unclosed IPv6 bracket", "https://[::1/v.mp4?x=1"],
      ["backslash for a slash", "https://example.org\\v.mp4?x=1"],
      ["two fragments", "https://example.org/v.mp4?x=1#a#b"],
      ["character outside URIs (<)", "https://example.org/</v.mp4?x=1"],
      ["non-ASCII character", "https://example.org/é/v.mp4?x=1"],
    ]);
    expect(uriEdges("https://example.org").map(([, uri]) => uri)).toEqual([
      "https://example.org:port/",
      "https://example.org:80:80/",
      "https://user@evil@example.org/",
      "https:///",
      "https://example.org/%zz/",
      "https://example.org/a b/",
      "https://[::1/",
      "https://example.org\\",
      "https://example.org/#a#b",
      "https://example.org/</",
      "https://example.org/é/",
    ]);
    expect(uriEdges("not a uri")).toEqual([]);
  });
});

describe("the checks' and the request judge's edges, one each", () => {
  it("a charset right after the semicolon is read too; a request without a Content-Type says (none)", () => {
    const verdict = (contentType: string) =>
      only("response_headers", { expect: "documented", observed: answer("accepted", { "content-type": contentType }) })[0]!;
    expect(verdict("application/json;charset=latin1")).toEqual({
      name: "response_headers",
      ok: false,
      severity: "violation",
      detail: "Content-Type says charset=latin1; JSON is UTF-8",
    });
    expect(verdict("application/json;\tcharset=utf-8").ok).toBe(true);
    const path = operation().path.replace("{sid}", "HXAP16XXXXXX97IN").replace("{phone_number}", "+918630005920");
    const judged = judgeRequest({ method: "POST", path, headers: { "api-key": "k" }, body: JSON.stringify(operation().requestExamples["by-media-id"]) });
    expect(judged).toEqual({
      kind: "operation",
      hasKey: true,
      issues: [{ field: "Content-Type", rule: "mediaType", message: "(none) is not application/json" }],
    });
  });
});

describe("conform --replay through the command", () => {
  const path = operation().path.replace("{sid}", "HXAP16XXXXXX97IN").replace("{phone_number}", "%2B918630005920");
  const key = "replay-key-0123456789";
  const token = "replay-admin-token-0123";
  const file = join(mkdtempSync(join(tmpdir(), "replay-cli-")), "r.ndjson");
  // An undocumented answer that echoes both secrets, next to punctuation (a secret read with its
  // spaces would not match): its sample shows in the drift summary.
  writeFileSync(
    file,
    `${JSON.stringify({
      kind: "exchange",
      version: 1,
      at: "",
      upstream: "http://pod",
      seq: 1,
      request: { method: "POST", path, headers: { "content-type": json, "api-key": "***" }, body: JSON.stringify(operation().requestExamples["by-media-id"]) },
      response: { status: 429, headers: { "content-type": json }, body: JSON.stringify({ code: "WA429", message: `slow down:${key}.${token}!` }) },
      error: null,
      milliseconds: 40,
      contract: "operation",
      findings: [],
    })}\n`,
  );
  const replay = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const out: string[] = [];
    const code = await conform(["--replay", file, ...argv], { env, out: (text) => out.push(text), err: () => {} });
    return { code, out: out.join("\n") };
  };

  it("masks the key and the admin token of the environment, spaces around them trimmed", async () => {
    const { code, out } = await replay([], { KALEYRA_API_KEY: ` ${key} `, KALEYRA_MOCK_ADMIN_TOKEN: `\t${token} ` });
    expect(code).toBe(1);
    expect(out).toContain("    429 WA429 × 1, e.g. to #1 POST ");
    expect(out).not.toContain(key);
    expect(out).not.toContain(token);
  });

  it("judges with the checks chosen and the response-time limit given", async () => {
    expect((await replay(["--checks", "answered"])).code).toBe(0);
    expect((await replay(["--checks", "answered,response_time", "--max-response-time", "39"])).code).toBe(1);
    expect((await replay(["--checks", "answered,response_time", "--max-response-time", "40"])).code).toBe(0);
  });
});

describe("the shared flags' refusals, in their words", () => {
  it("--report quotes what it was given; unknown checks are named, each quoted", () => {
    expect(() => reportFlags(["xml=r.xml"])).toThrow(/^--report takes junit=FILE or json=FILE, not "xml=r\.xml"$/);
    expect(() => checkFlags(["answered,nope", "other"], undefined)).toThrow(
      new RegExp(`^unknown check "nope", "other"; the checks are ${checkNames.join(", ")}$`),
    );
  });
});
