// Run control (checks by name, a rate limit, a response-time limit), leniency as its own
// severity, and diagnoses before walls: each through the run and through the CLI.
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { example, operation } from "../src/contract/operation.ts";
import { serverErrorOnMalformedJson, startDistorted, type Distortion } from "../test/support/distort.ts";
import { startTestMock, type TestMock } from "../test/support/mock.ts";
import { apiKey, businessNumber, sid } from "../test/support/requests.ts";
import { checkNames } from "../src/judge/checks.ts";
import { conform } from "../src/cli/tools/conform.ts";
import { checkTotals, findings, jsonReport, junit, summary, failures } from "../src/judge/report.ts";
import { runConformance, type RunOptions } from "./runner.ts";
import type { RunResult } from "../src/judge/result.ts";
import { fetchWithin } from "../test/support/wait.ts";
import { identityPath } from "../src/contract/identity.ts";
import { adminPath } from "../src/contract/document.ts";
import { made } from "../test/support/made-run.ts";

const seed = 20261130;
let mock: TestMock;
let open: TestMock;
beforeAll(async () => {
  mock = await startTestMock({ apiKey, sid, phoneNumbers: [businessNumber] });
  open = await startTestMock({});
});
afterAll(async () => {
  await mock.close();
  await open.close();
});

const options = (target: string, extra: Partial<RunOptions> = {}): RunOptions => ({
  target,
  sid,
  phoneNumber: businessNumber,
  apiKey,
  seed,
  runs: 20,
  checkCallbacks: false,
  ...extra,
});
const failedChecks = (result: RunResult) =>
  checkTotals(result)
    .filter((row) => row.failed > 0)
    .map((row) => row.name);

async function withServer<T>(distortion: Distortion, use: (url: string) => Promise<T>): Promise<T> {
  const server = await startDistorted(mock.url, distortion);
  try {
    return await use(server.url);
  } finally {
    await server.close();
  }
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = { KALEYRA_API_KEY: apiKey }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await conform(argv, { env, out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join("\n"), err };
}

const accepted = () => ({ status: 202, headers: { "content-type": "application/json" }, body: JSON.stringify(example("accepted").value) });
/** Takes a caption past the contract's limit, and nothing else wrong. */
const longCaptions: Distortion = {
  request: ({ body }) => ((JSON.parse(body || "{}")?.messaging_object?.video?.caption ?? "").length > 1024 ? accepted() : undefined),
};
/** Two defects: a 500 to malformed JSON, and text/html on every answer. */
const twoDefects: Distortion = {
  ...serverErrorOnMalformedJson(example("internal-error").value),
  response: (answer) => ({ ...answer, headers: { ...answer.headers, "content-type": "text/html" } }),
};

describe("checks chosen by name", () => {
  it("--checks runs only the named checks, --exclude-checks all but those: the exact sets", async () => {
    await withServer(twoDefects, async (url) => {
      expect(failedChecks(await runConformance(options(url)))).toEqual(["content_type_documented", "no_server_error", "rejects_invalid"]);
      expect(failedChecks(await runConformance(options(url, { checks: ["no_server_error"] })))).toEqual(["no_server_error"]);
      const ran = checkTotals(await runConformance(options(url, { checks: ["no_server_error", "status_documented"] }))).map((row) => row.name);
      expect(ran).toEqual(["status_documented", "no_server_error"]);
    });
  });

  it("the CLI reads both flags, comma-separated or repeated, and refuses unknown names by name", async () => {
    await withServer(twoDefects, async (url) => {
      const only = await cli([
        "--target",
        url,
        "--sid",
        sid,
        "--phone-number",
        businessNumber,
        "--runs",
        "5",
        "--no-callbacks",
        "--checks",
        "no_server_error,status_documented",
        "--checks",
        "auth_enforced",
      ]);
      expect(only.code).toBe(1);
      expect(only.out).toMatch(/^no_server_error\s+\d+\s+[1-9]\d*\s+0$/m);
      expect(only.out).not.toMatch(/^content_type_documented/m);
      const excluded = await cli([
        "--target",
        url,
        "--sid",
        sid,
        "--phone-number",
        businessNumber,
        "--runs",
        "5",
        "--no-callbacks",
        "--exclude-checks",
        "content_type_documented,no_server_error",
        "--exclude-checks",
        "rejects_invalid",
      ]);
      expect(excluded.code).toBe(0);
    });
    const unknown = await cli(["--target", mock.url, "--sid", sid, "--phone-number", businessNumber, "--checks", "no_server_error,not_a_check"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toEqual([`conform: unknown check "not_a_check"; the checks are ${checkNames.join(", ")}\nRun kaleyra-video conform --help.`]);
    const none = await cli(["--target", mock.url, "--sid", sid, "--phone-number", businessNumber, "--checks", "answered", "--exclude-checks", "answered"]);
    expect(none.code).toBe(2);
    expect(none.err[0]).toMatch(/leave no check to run/);
  });
});

describe("rate and time limits", () => {
  it("--rate-limit spaces every request of the run, the identity probe included", async () => {
    const arrivals: number[] = [];
    let started = 0;
    await withServer({ request: () => void arrivals.push(performance.now()) }, async (url) => {
      started = performance.now();
      const result = await runConformance(options(url, { rateLimit: 50, runs: 0, checks: ["answered"] }));
      expect(result.requestsSent).toBe(arrivals.length);
    });
    expect(arrivals.length).toBeGreaterThan(20);
    // 50 a second is one every 20 ms: the k-th request leaves no sooner than k × 20 ms after the
    // first, which leaves after the run starts. Counted from the start, not from the first arrival,
    // so a busy machine's pause only makes an arrival later; Node's whole-millisecond timers may
    // fire up to 1 ms early.
    const early = arrivals.map((at, k) => at - started - k * 20).filter((slack) => slack < -1);
    expect(early).toEqual([]);
  });

  it("the CLI takes a rate above 0 up to 10000, decimals too, and refuses the rest", async () => {
    for (const bad of ["0", "10000.5", "-1", "fast", "1e3"]) {
      const run = await cli(["--target", mock.url, "--sid", sid, "--phone-number", businessNumber, `--rate-limit=${bad}`]);
      expect(run.err).toEqual(["conform: --rate-limit must be a number of requests a second, above 0 and at most 10000\nRun kaleyra-video conform --help."]);
    }
    const fastest = await cli(["--target", mock.url, "--sid", sid, "--phone-number", businessNumber, "--runs", "2", "--no-callbacks", "--rate-limit", "10000"]);
    expect(fastest.code).toBe(0);
  });

  it("--max-response-time adds response_time, failed by the slow answers alone", async () => {
    // The first three requests with a ref2 are slow; the rest, and all others, are not. A slow
    // answer takes at least its delay, past the limit on any machine; a quick one would need a
    // stall of a whole second to pass it, which no busy machine gives a loopback answer.
    let slowOnes = 0;
    const slow: Distortion = { delayMs: ({ body }) => (body.includes('"ref2"') && slowOnes++ < 3 ? 1_100 : 0) };
    await withServer(slow, async (url) => {
      const result = await runConformance(options(url, { maxResponseTimeMs: 1_000 }));
      expect(failedChecks(result)).toEqual(["response_time"]);
      const slowCases = result.outcomes.filter((outcome) => outcome.checks.some((check) => check.name === "response_time" && !check.ok));
      expect(slowCases.length).toBe(3);
      expect(slowCases.every((outcome) => outcome.testCase.request.body.includes('"ref2"'))).toBe(true);
      expect(slowCases[0]!.checks.find((check) => check.name === "response_time")!.detail).toMatch(/^\d+ ms; limit 1000 ms$/);
      // Without the flag, no such check.
      expect(checkTotals(await runConformance(options(url, { runs: 2 }))).map((row) => row.name)).not.toContain("response_time");
    });
  });

  it("the CLI's --max-response-time is a whole number of milliseconds from 1", async () => {
    const zero = await cli(["--target", mock.url, "--sid", sid, "--phone-number", businessNumber, "--max-response-time", "0"]);
    expect(zero.code).toBe(2);
    expect(zero.err[0]).toMatch(/^conform: --max-response-time must be a whole number from 1 to/);
    const one = await cli([
      "--target",
      mock.url,
      "--sid",
      sid,
      "--phone-number",
      businessNumber,
      "--runs",
      "0",
      "--no-callbacks",
      "--max-response-time",
      "1",
      "--report",
      `json=${join(mkdtempSync(join(tmpdir(), "rt-")), "r.json")}`,
    ]);
    expect([0, 1]).toContain(one.code);
    expect(one.out).toMatch(/^response_time\s/m);
  });
});

describe("leniency is its own finding", () => {
  it("a target that takes a refused request is lenient, naming the field; a wrong refusal is a violation", async () => {
    await withServer(longCaptions, async (url) => {
      const result = await runConformance(options(url));
      expect(result.ok).toBe(false);
      const all = findings(result);
      expect(all.length).toBeGreaterThan(0);
      expect(new Set(all.map((finding) => `${finding.check}/${finding.severity}`))).toEqual(new Set(["rejects_invalid/leniency"]));
      expect(new Set(all.flatMap((finding) => finding.fields))).toEqual(new Set(["messaging_object.video.caption"]));
      const report = JSON.parse(jsonReport(result)) as {
        findings: { severity: string }[];
        cases: { checks: { ok: boolean; severity?: string }[] }[];
        lenientFields: { field: string }[];
      };
      expect(report.findings.every((finding) => finding.severity === "leniency")).toBe(true);
      expect(
        report.cases
          .flatMap((c) => c.checks)
          .filter((check) => !check.ok)
          .every((check) => check.severity === "leniency"),
      ).toBe(true);
      expect(report.lenientFields.map((row) => row.field)).toEqual(["messaging_object.video.caption"]);
      expect(summary(result)).toMatch(/^Leniency \(\d+\): the target accepts what the contract refuses: messaging_object\.video\.caption \(\d+\)/m);
      expect(summary(result)).toMatch(/^FAIL/m);
    });
    // The same defect refused with the wrong answer is a violation.
    const wrongRefusal: Distortion = {
      request: ({ body }) =>
        (JSON.parse(body || "{}")?.messaging_object?.video?.caption ?? "").length > 1024
          ? { status: 401, headers: { "content-type": "application/json" }, body: JSON.stringify(example("incorrect-sid-or-api-key").value) }
          : undefined,
    };
    await withServer(wrongRefusal, async (url) => {
      expect(new Set(findings(await runConformance(options(url))).map((finding) => `${finding.check}/${finding.severity}`))).toEqual(
        new Set(["rejects_invalid/violation"]),
      );
    });
  });

  it("--lenient reports leniency without failing; violations still fail", async () => {
    await withServer(longCaptions, async (url) => {
      const result = await runConformance(options(url, { lenient: true }));
      expect(result.ok).toBe(true);
      const text = summary(result);
      expect(text).toMatch(
        /^Leniency \(\d+, reported, not failed: --lenient\): the contract may be stricter than the target\. Taken though the contract refuses: messaging_object\.video\.caption/m,
      );
      expect(text).toMatch(/^PASS with leniency/m);
      const xml = new XMLParser({ ignoreAttributes: false }).parse(junit(result)) as {
        testsuites: { testsuite: { "@_name": string; "@_failures": string; "@_skipped": string }[] };
      };
      const [contract, leniency] = xml.testsuites.testsuite;
      expect(contract!["@_failures"]).toBe("0");
      expect(leniency!["@_name"]).toMatch(/^leniency: /);
      expect(leniency!["@_failures"]).toBe("0");
      // One skipped test case per lenient request, none dropped; without --lenient, each a failure.
      expect(failures(result, "leniency").length).toBeGreaterThan(0);
      expect(Number(leniency!["@_skipped"])).toBe(failures(result, "leniency").length);
      const strictResult = await runConformance(options(url));
      const strict = new XMLParser({ ignoreAttributes: false }).parse(junit(strictResult)) as typeof xml;
      expect(strict.testsuites.testsuite[0]!["@_failures"]).toBe("0");
      expect(Number(strict.testsuites.testsuite[1]!["@_failures"])).toBe(failures(strictResult, "leniency").length);
    });
    await withServer({ ...longCaptions, response: twoDefects.response! }, async (url) => {
      const result = await runConformance(options(url, { lenient: true }));
      expect(result.ok).toBe(false);
    });
    const runs = await withServer(longCaptions, async (url) => {
      const argv = ["--target", url, "--sid", sid, "--phone-number", businessNumber, "--runs", "5", "--no-callbacks"];
      return [(await cli([...argv, "--lenient"])).code, (await cli(argv)).code];
    });
    expect(runs).toEqual([0, 1]);
  });

  it("another method answered 2xx is leniency; answered 404 a violation", async () => {
    await withServer({ request: ({ method }) => (method === "POST" ? undefined : accepted()) }, async (url) => {
      expect(new Set(findings(await runConformance(options(url))).map((finding) => `${finding.check}/${finding.severity}`))).toEqual(
        new Set(["unsupported_method/leniency"]),
      );
    });
    await withServer(
      { request: ({ method }) => (method === "POST" ? undefined : { status: 404, headers: { "content-type": "application/json" }, body: "{}" }) },
      async (url) => {
        expect(new Set(findings(await runConformance(options(url))).map((finding) => `${finding.check}/${finding.severity}`))).toEqual(
          new Set(["unsupported_method/violation"]),
        );
      },
    );
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("diagnoses before walls", () => {
  it("nothing listening: one line, exit 2, one request", async () => {
    const port = await freePort();
    const result = await runConformance(options(`http://127.0.0.1:${port}`));
    expect(result.diagnosis).toEqual({
      kind: "unreachable",
      message: `nothing is listening at http://127.0.0.1:${port}/ (network: ECONNREFUSED); is the mock running (npm start), or is --target wrong?`,
    });
    expect(result.outcomes).toEqual([]);
    expect(result.requestsSent).toBe(1);
    const run = await cli(["--target", `http://127.0.0.1:${port}`, "--sid", sid, "--phone-number", businessNumber]);
    expect(run).toEqual({ code: 2, out: "", err: [`conform: ${result.diagnosis!.message}`] });
    // Without the identity probe (a target treated as remote), the first case tells the same.
    const remote = await runConformance(options(`http://127.0.0.1:${port}`, { treatAsRemote: true }));
    expect(remote.diagnosis?.kind).toBe("unreachable");
    expect(remote.requestsSent).toBe(1);
  });

  it("every request with the key answered with the same 401: one line on the key or SID, after three", async () => {
    const result = await runConformance(options(mock.url, { apiKey: "not-the-account-key" }));
    expect(result.diagnosis).toEqual({
      kind: "credentials",
      message: `every request with your key was answered 401 RBC001: KALEYRA_API_KEY or --sid (or --phone-number) is wrong for ${mock.url}/`,
    });
    // The identity probe, the two auth probes, and three requests with the key: then it stops.
    expect(result.requestsSent).toBe(6);
    expect(result.outcomes.map((outcome) => outcome.testCase.request.key)).toEqual(["none", "wrong", "account", "account"]);
    // With the callback stage on, a run stopped by a diagnosis still points the mock back.
    const wrongSid = await runConformance(options(mock.url, { sid: "HXAP16XXXXXX00IN", checkCallbacks: true }));
    expect(wrongSid.diagnosis?.kind).toBe("credentials");
    expect(((await fetchWithin(`${mock.url}/__admin/callbacks`).then((answer) => answer.json())) as { url: string | null }).url).toBeNull();
    const run = await cli(
      ["--target", mock.url, "--sid", sid, "--phone-number", businessNumber, "--report", `json=${join(mkdtempSync(join(tmpdir(), "diag-")), "r.json")}`],
      { KALEYRA_API_KEY: "not-the-account-key" },
    );
    expect(run.code).toBe(2);
    expect(run.out).toBe("");
    // The progress line on the plan, the diagnosis, where the report went: no wall.
    expect(run.err).toEqual([
      `${mock.url}/ identified itself as the kit's mock: the full plan.`,
      `conform: ${result.diagnosis!.message}`,
      expect.stringMatching(/^json report written to /),
    ]);
    // The right key: no diagnosis.
    expect((await runConformance(options(mock.url))).diagnosis).toBeUndefined();
  });

  it("a mock without an account answering the wrong-key probe with 202: the hint to use --no-account, first", async () => {
    const result = await runConformance(options(open.url));
    expect(failedChecks(result)).toEqual(["auth_enforced"]);
    expect(result.hints).toEqual([expect.stringMatching(/run with --no-account/)]);
    expect(summary(result).split("\n")[1]).toBe(`First: ${result.hints[0]}`);
    const fixed = await runConformance(options(open.url, { checksKeys: false }));
    expect(fixed.ok).toBe(true);
    expect(fixed.hints).toEqual([]);
  });

  it("a failing run prints its most useful finding first", async () => {
    await withServer(twoDefects, async (url) => {
      const result = await runConformance(options(url));
      const first = summary(result).split("\n")[1]!;
      expect(first).toMatch(/^First: no_server_error \(violation\) on \[negative\] /);
      const report = JSON.parse(jsonReport(result)) as { first: string; findings: { check: string }[] };
      expect(report.first).toBe(first.slice("First: ".length));
      expect(report.findings[0]!.check).toBe("no_server_error");
    });
  });
});

describe("the JSON report", () => {
  it("carries a severity on every failed check of every case", async () => {
    await withServer(twoDefects, async (url) => {
      const file = join(mkdtempSync(join(tmpdir(), "sev-")), "r.json");
      await cli(["--target", url, "--sid", sid, "--phone-number", businessNumber, "--runs", "5", "--no-callbacks", "--report", `json=${file}`]);
      const report = JSON.parse(readFileSync(file, "utf8")) as {
        cases: { checks: { ok: boolean; severity?: string }[] }[];
        shrunk: { checks: { ok: boolean; severity?: string }[] } | null;
        findings: { severity: string }[];
      };
      const failed = [...report.cases.flatMap((c) => c.checks), ...(report.shrunk?.checks ?? [])].filter((check) => !check.ok);
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.every((check) => check.severity === "violation")).toBe(true);
      expect(report.findings.length).toBe(failed.length);
    });
  });
});

describe("the reports of one run, whole", () => {
  it("the summary, with a limit on the failures shown", () => {
    expect(summary(made(), 2)).toMatchInlineSnapshot(`
      "Conformance of http://127.0.0.1:4010 to the contract (seed 42; full plan: the target proved it is the kit's mock): 5 cases, 9 requests sent in all.
      First: the target answers 500 to malformed JSON

      Documented responses observed:
      status  code    example                      observed
      202     WA202   accepted                     yes (2)
      400     WA400   incorrect-payload            no
      400     E110    low-balance                  no
      401     RBC001  incorrect-sid-or-api-key     no
      401     WA401   phone-number-not-in-account  no
      401     WA-401  account-not-enabled          no
      401     WA-401  phone-number-other-version   no
      500     WA500   internal-error               yes (1)

      Checks:
      check              passed  violations  leniency
      answered           0       1           0
      status_documented  3       1           0
      no_server_error    1       2           0
      rejects_invalid    0       0           1

      Violations (3, first 2 shown):
        [invalid] caption too long → 500 WA500
          ✗ no_server_error: 500 to a request it should refuse
          curl -X POST 'caption too long'
        [valid] by-link → 429 WA429
          ✗ status_documented: 429 is not documented
          curl -X POST 'by-link'

      Leniency (1): the target accepts what the contract refuses: messaging_object.video.caption (1). If the target is right, the contract is too strict; --lenient reports this without failing.
        [invalid] caption of 1025 → 202 WA202
          ✗ rejects_invalid: took it
          curl -X POST 'caption of 1025'

      Smallest generated request that fails (seed 42; rerun with --seed 42):
        [generated] smallest → 500 WA500
          ✗ no_server_error: 500
          curl -X POST 'smallest'

      Status callbacks: 5 received for 2 accepted sends; 2 violation(s):
        ✗ in_order (M1): READ after nothing
        ✗ valid (no message id): bad

      FAIL: the target departs from the contract (see above).
      1 passed, 4 failed"
    `);
  });

  it("the summary of a lenient, interrupted run of recorded traffic", () => {
    const recorded = made({
      lenient: true,
      interrupted: "SIGINT",
      recording: { exchanges: 7, outside: 2, file: "traffic.ndjson" },
      callbacks: undefined,
      hints: [],
      shrunk: undefined,
    });
    recorded.outcomes = recorded.outcomes.filter((one) => one.testCase.title === "caption of 1025" || one.testCase.title === "by-media-id");
    expect(summary(recorded)).toMatchInlineSnapshot(`
      "Recorded traffic with http://127.0.0.1:4010 (traffic.ndjson) judged against the contract: 7 exchanges, 2 on the contract's path, 2 outside it (not checked).
      PARTIAL: the run stopped early (SIGINT); this reports what ran.
      First: rejects_invalid (leniency) on [invalid] caption of 1025: took it

      Drift:
        rejects_invalid: 1 of 1 exchanges failed (1 leniency)
        Request fields the target accepted that the contract refuses: messaging_object.video.caption (1)

      Documented responses observed:
      status  code    example                      observed
      202     WA202   accepted                     yes (2)
      400     WA400   incorrect-payload            no
      400     E110    low-balance                  no
      401     RBC001  incorrect-sid-or-api-key     no
      401     WA401   phone-number-not-in-account  no
      401     WA-401  account-not-enabled          no
      401     WA-401  phone-number-other-version   no
      500     WA500   internal-error               no

      Checks:
      check              passed  violations  leniency
      status_documented  2       0           0
      no_server_error    1       0           0
      rejects_invalid    0       0           1

      Leniency (1, reported, not failed: --lenient): the contract may be stricter than the target. Taken though the contract refuses: messaging_object.video.caption (1).
        [invalid] caption of 1025 → 202 WA202
          ✗ rejects_invalid: took it
          curl -X POST 'caption of 1025'

      INCOMPLETE: no departure in what ran, but the run did not finish.
      1 passed, 1 failed"
    `);
  });

  it("JUnit XML and JSON", () => {
    expect(junit(made())).toMatchInlineSnapshot(`
      "<?xml version="1.0" encoding="UTF-8"?>
      <testsuites name="kaleyra-video conformance" tests="8" failures="6">
        <testsuite name="http://127.0.0.1:4010" tests="7" failures="5" skipped="0">
          <properties><property name="seed" value="42"/><property name="mode" value="mock"/><property name="requestsSent" value="9"/><property name="lenient" value="false"/></properties>
          <testcase classname="conformance.valid" name="by-media-id #1" time="0.013"/>
          <testcase classname="conformance.invalid" name="caption too long #2" time="0.013">
            <failure type="no_server_error" message="no_server_error: 500 to a request it should refuse">curl -X POST 'caption too long'</failure>
          </testcase>
          <testcase classname="conformance.invalid" name="caption of 1025 #3" time="0.013"/>
          <testcase classname="conformance.valid" name="by-link #4" time="0.013">
            <failure type="status_documented" message="status_documented: 429 is not documented">curl -X POST 'by-link'</failure>
          </testcase>
          <testcase classname="conformance.valid" name="with-extra-info #5" time="0.007">
            <failure type="answered" message="answered: no answer: ECONNRESET">curl -X POST 'with-extra-info'</failure>
          </testcase>
          <testcase classname="conformance.generated" name="smallest #6" time="0.013">
            <failure type="no_server_error" message="no_server_error: 500">curl -X POST 'smallest'</failure>
          </testcase>
          <testcase classname="conformance.callbacks" name="status callbacks of the accepted sends" time="0">
            <failure type="in_order" message="in_order: READ after nothing">M1</failure>
            <failure type="valid" message="valid: bad"></failure>
          </testcase>
        </testsuite>
        <testsuite name="leniency: http://127.0.0.1:4010" tests="1" failures="1" skipped="0">
          <testcase classname="conformance.leniency.invalid" name="caption of 1025 #3" time="0.013">
            <failure type="rejects_invalid" message="rejects_invalid: took it">curl -X POST 'caption of 1025'</failure>
          </testcase>
        </testsuite>
      </testsuites>
      "
    `);
    expect(JSON.parse(jsonReport(made()))).toMatchInlineSnapshot(`
      {
        "callbacks": {
          "findings": [
            {
              "check": "in_order",
              "message": "READ after nothing",
              "messageId": "M1",
            },
            {
              "check": "valid",
              "message": "bad",
            },
          ],
          "messages": 2,
          "received": 5,
        },
        "cases": [
          {
            "category": "valid",
            "checks": [
              {
                "detail": "",
                "name": "status_documented",
                "ok": true,
              },
              {
                "detail": "",
                "name": "no_server_error",
                "ok": true,
              },
            ],
            "code": "WA202",
            "curl": "curl -X POST 'by-media-id'",
            "example": "accepted",
            "milliseconds": 13,
            "status": 202,
            "title": "by-media-id",
          },
          {
            "category": "invalid",
            "checks": [
              {
                "detail": "",
                "name": "status_documented",
                "ok": true,
              },
              {
                "detail": "500 to a request it should refuse",
                "name": "no_server_error",
                "ok": false,
                "severity": "violation",
              },
            ],
            "code": "WA500",
            "curl": "curl -X POST 'caption too long'",
            "example": "internal-error",
            "milliseconds": 13,
            "status": 500,
            "title": "caption too long",
          },
          {
            "category": "invalid",
            "checks": [
              {
                "detail": "",
                "name": "status_documented",
                "ok": true,
              },
              {
                "detail": "took it",
                "fields": [
                  "messaging_object.video.caption",
                ],
                "name": "rejects_invalid",
                "ok": false,
                "severity": "leniency",
              },
            ],
            "code": "WA202",
            "curl": "curl -X POST 'caption of 1025'",
            "example": "accepted",
            "milliseconds": 13,
            "status": 202,
            "title": "caption of 1025",
          },
          {
            "category": "valid",
            "checks": [
              {
                "detail": "429 is not documented",
                "name": "status_documented",
                "ok": false,
              },
            ],
            "code": "WA429",
            "curl": "curl -X POST 'by-link'",
            "example": null,
            "milliseconds": 13,
            "status": 429,
            "title": "by-link",
          },
          {
            "category": "valid",
            "checks": [
              {
                "detail": "no answer: ECONNRESET",
                "name": "answered",
                "ok": false,
              },
            ],
            "code": null,
            "curl": "curl -X POST 'with-extra-info'",
            "example": null,
            "milliseconds": 7,
            "status": null,
            "title": "with-extra-info",
          },
        ],
        "checks": [
          {
            "failed": 1,
            "leniency": 0,
            "name": "answered",
            "passed": 0,
          },
          {
            "failed": 1,
            "leniency": 0,
            "name": "status_documented",
            "passed": 3,
          },
          {
            "failed": 2,
            "leniency": 0,
            "name": "no_server_error",
            "passed": 1,
          },
          {
            "failed": 1,
            "leniency": 1,
            "name": "rejects_invalid",
            "passed": 0,
          },
        ],
        "coverage": [
          {
            "code": "WA202",
            "example": "accepted",
            "observed": 2,
            "status": 202,
          },
          {
            "code": "WA400",
            "example": "incorrect-payload",
            "observed": 0,
            "status": 400,
          },
          {
            "code": "E110",
            "example": "low-balance",
            "observed": 0,
            "status": 400,
          },
          {
            "code": "RBC001",
            "example": "incorrect-sid-or-api-key",
            "observed": 0,
            "status": 401,
          },
          {
            "code": "WA401",
            "example": "phone-number-not-in-account",
            "observed": 0,
            "status": 401,
          },
          {
            "code": "WA-401",
            "example": "account-not-enabled",
            "observed": 0,
            "status": 401,
          },
          {
            "code": "WA-401",
            "example": "phone-number-other-version",
            "observed": 0,
            "status": 401,
          },
          {
            "code": "WA500",
            "example": "internal-error",
            "observed": 1,
            "status": 500,
          },
        ],
        "diagnosis": null,
        "findings": [
          {
            "category": "valid",
            "check": "answered",
            "curl": "curl -X POST 'with-extra-info'",
            "detail": "no answer: ECONNRESET",
            "fields": [],
            "severity": "violation",
            "title": "with-extra-info",
          },
          {
            "category": "invalid",
            "check": "no_server_error",
            "curl": "curl -X POST 'caption too long'",
            "detail": "500 to a request it should refuse",
            "fields": [],
            "severity": "violation",
            "title": "caption too long",
          },
          {
            "category": "generated",
            "check": "no_server_error",
            "curl": "curl -X POST 'smallest'",
            "detail": "500",
            "fields": [],
            "severity": "violation",
            "title": "smallest",
          },
          {
            "category": "valid",
            "check": "status_documented",
            "curl": "curl -X POST 'by-link'",
            "detail": "429 is not documented",
            "fields": [],
            "severity": "violation",
            "title": "by-link",
          },
          {
            "category": "invalid",
            "check": "rejects_invalid",
            "curl": "curl -X POST 'caption of 1025'",
            "detail": "took it",
            "fields": [
              "messaging_object.video.caption",
            ],
            "severity": "leniency",
            "title": "caption of 1025",
          },
        ],
        "first": "the target answers 500 to malformed JSON",
        "hints": [
          "the target answers 500 to malformed JSON",
        ],
        "interrupted": null,
        "lenient": false,
        "lenientFields": [
          {
            "count": 1,
            "field": "messaging_object.video.caption",
          },
        ],
        "mode": "mock",
        "ok": false,
        "recording": null,
        "remote": false,
        "requestsSent": 9,
        "seed": 42,
        "shrunk": {
          "checks": [
            {
              "detail": "500",
              "name": "no_server_error",
              "ok": false,
            },
          ],
          "curl": "curl -X POST 'smallest'",
          "title": "smallest",
        },
        "target": "http://127.0.0.1:4010",
        "undocumentedAnswers": [
          {
            "code": "WA429",
            "count": 1,
            "request": "by-link",
            "sample": "{"code":"WA429","message":"m"}",
            "status": 429,
          },
        ],
      }
    `);
  });
});

describe("conform's flags, each at its limits, through the command", () => {
  const base = ["--target", "http://127.0.0.1:9", "--sid", sid, "--phone-number", businessNumber];
  const refusal = (message: string) => [`conform: ${message}\nRun kaleyra-video conform --help.`];

  it.each([
    ["max-sends", 0, Number.MAX_SAFE_INTEGER],
    ["seed", 0, 2 ** 31 - 1],
    ["runs", 0, 1_000_000],
    ["timeout-ms", 1, 2 ** 31 - 1],
    ["max-response-bytes", 1, 2 ** 30],
    ["run-timeout-ms", 1, 2 ** 31 - 1],
    ["max-response-time", 1, 2 ** 31 - 1],
  ])("--%s from %d to %d", async (flag, min, max) => {
    // --allow-send without --to is refused after every number is read: reaching it means they were taken.
    const taken = refusal("--allow-send needs --to, the recipient of requests that may be accepted");
    for (const value of [min, max]) expect((await cli([...base, "--allow-send", `--${flag}`, String(value)])).err, `${flag} ${value}`).toEqual(taken);
    const words = refusal(`--${flag} must be a whole number from ${min} to ${max}`);
    for (const value of [max + 1, ...(min > 0 ? [min - 1] : []), "1.5", "x"]) {
      const { code, err } = await cli([...base, "--allow-send", `--${flag}`, String(value)]);
      expect([code, err], `${flag} ${value}`).toEqual([2, words]);
    }
  });

  it("each refusal of the target, the account and the environment, in its words", async () => {
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [["--sid", sid], { KALEYRA_API_KEY: apiKey }, "give exactly one of --target or --pod"],
      [["--target", "http://127.0.0.1:9", "--pod", "in"], { KALEYRA_API_KEY: apiKey }, "give exactly one of --target or --pod"],
      [["--pod", "us"], { KALEYRA_API_KEY: apiKey }, "--pod must be one of in, sg, eu, na"],
      [base, {}, "set KALEYRA_API_KEY (the key is never taken as a flag)"],
      [base, { KALEYRA_API_KEY: "  " }, "set KALEYRA_API_KEY (the key is never taken as a flag)"],
      [base, { KALEYRA_API_KEY: "a\nbcdef" }, "KALEYRA_API_KEY must not contain a line break (CR or LF)"],
      [["--target", "http://127.0.0.1:9", "--phone-number", businessNumber], { KALEYRA_API_KEY: apiKey }, "--sid is required"],
      [["--target", "http://127.0.0.1:9", "--sid", sid], { KALEYRA_API_KEY: apiKey }, "--phone-number is required"],
      [
        [...base, "--allow-send"],
        { KALEYRA_API_KEY: apiKey, KALEYRA_MOCK_ADMIN_TOKEN: "a\rbcdef" },
        "KALEYRA_MOCK_ADMIN_TOKEN must not contain a line break (CR or LF)",
      ],
      [[...base, "--rate-limit", "0"], { KALEYRA_API_KEY: apiKey }, "--rate-limit must be a number of requests a second, above 0 and at most 10000"],
      [["--replay", "r.ndjson", "--sid", sid], {}, "--replay judges a recording offline; --sid does not apply"],
      [["--replay", "r.ndjson", "--sid", sid, "--runs", "5"], {}, "--replay judges a recording offline; --sid, --runs do not apply"],
    ];
    for (const [argv, env, message] of cases) {
      const { code, err } = await cli(argv, env);
      expect([code, err], argv.join(" ")).toEqual([2, refusal(message)]);
    }
  });
});

describe("conform's switches, through the command", () => {
  const args = (target: string, ...extra: string[]) => [
    "--target",
    target,
    "--sid",
    sid,
    "--phone-number",
    businessNumber,
    "--seed",
    String(seed),
    "--runs",
    "0",
    ...extra,
  ];
  const caseCount = (out: string) => Number(/: (\d+) cases, /.exec(out)?.[1]);

  it("--treat-as-remote: the safe plan without asking the mock who it is; --trusted-target: the full plan, not asking either", async () => {
    const probes: string[] = [];
    await withServer({ request: ({ path }) => (path.startsWith(identityPath) ? void probes.push(path) : undefined) }, async (url) => {
      const remote = await cli(args(url, "--treat-as-remote"));
      expect(remote.err[0]).toBe(`${url}/ is not the kit's mock: the safe plan.`);
      expect(remote.out.split("\n")[0]).toContain("(seed 20261130; safe plan: nothing a real pod would deliver, unless --allow-send)");
      const trusted = await cli(args(url, "--trusted-target", "--no-callbacks"));
      expect(trusted.err[0]).toBe(`${url}/ is trusted (--trusted-target): the full plan.`);
      expect(trusted.out.split("\n")[0]).toContain("(seed 20261130; full plan: --trusted-target)");
      expect(probes).toEqual([]);
      const proven = await cli(args(url, "--no-callbacks"));
      expect(proven.err[0]).toBe(`${url}/ identified itself as the kit's mock: the full plan.`);
      expect(probes).toHaveLength(1);
    });
  });

  it("--allow-send without --to: a usage error before any request, the identity probe included", async () => {
    const seen: string[] = [];
    const refused = await withServer({ request: ({ method, path }) => void seen.push(`${method} ${path}`) }, (url) => cli(args(url, "--allow-send")));
    expect(refused).toEqual({
      code: 2,
      out: "",
      err: ["conform: --allow-send needs --to, the recipient of requests that may be accepted\nRun kaleyra-video conform --help."],
    });
    expect(seen).toEqual([]);
  });

  it("--prefer-examples adds one case for each of the contract's examples", async () => {
    const without = await cli(args(mock.url, "--no-callbacks"));
    const withExamples = await cli(args(mock.url, "--no-callbacks", "--prefer-examples"));
    expect([without.code, withExamples.code]).toEqual([0, 0]);
    expect(caseCount(withExamples.out) - caseCount(without.out)).toBe(operation().examples.length);
  });

  it("--no-account: a mock without an account passes with it, and fails without it", async () => {
    expect((await cli(args(open.url, "--no-callbacks", "--no-account"))).code).toBe(0);
    expect((await cli(args(open.url, "--no-callbacks"))).code).toBe(1);
  });

  it("the callbacks are checked against the kit's mock unless --no-callbacks", async () => {
    const checked = await cli(args(mock.url));
    expect(checked.out).toMatch(/\nStatus callbacks: \d+ received for \d+ accepted sends; every one valid and in order\.\n/);
    expect((await cli(args(mock.url, "--no-callbacks"))).out).not.toContain("Status callbacks");
  });
});

describe("conform stopped by a signal, in the process that runs it", () => {
  const listeners = () => [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];

  async function stoppedAt(third: NodeJS.Signals[]) {
    const report = join(mkdtempSync(join(tmpdir(), "conform-signal-")), "run.json");
    let atSignal: unknown;
    let requests = 0;
    const before = listeners();
    const outcome = await withServer(
      {
        request: ({ path }) => {
          if (path.startsWith(identityPath) || ++requests !== 3) return undefined;
          for (const signal of third) process.emit(signal, signal);
          // The reports of what ran are written at the signal, before the run unwinds.
          const written = JSON.parse(readFileSync(report, "utf8"));
          atSignal = written.ok === false ? written.interrupted : `ok: ${written.ok}`;
          return undefined;
        },
      },
      (url) => cli(["--target", url, "--sid", sid, "--phone-number", businessNumber, "--runs", "0", "--no-callbacks", "--report", `json=${report}`]),
    );
    return { ...outcome, atSignal, listenersKept: listeners().map((count, index) => count - before[index]!), final: JSON.parse(readFileSync(report, "utf8")) };
  }

  it("SIGINT: exit 130, the report written at once and again at the end, both saying so; the listeners removed", async () => {
    const { code, out, atSignal, listenersKept, final } = await stoppedAt(["SIGINT"]);
    expect(code).toBe(130);
    expect(atSignal).toBe("stopped by SIGINT");
    expect(final.interrupted).toBe("stopped by SIGINT");
    expect(final.ok).toBe(false);
    expect(out).toContain("\nPARTIAL: the run stopped early (stopped by SIGINT); this reports what ran.\n");
    expect(listenersKept).toEqual([0, 0]);
  });

  it("SIGTERM: exit 143; a second signal changes nothing", async () => {
    const term = await stoppedAt(["SIGTERM"]);
    expect([term.code, term.atSignal, term.final.interrupted]).toEqual([143, "stopped by SIGTERM", "stopped by SIGTERM"]);
    const both = await stoppedAt(["SIGINT", "SIGTERM"]);
    expect([both.code, both.atSignal, both.final.interrupted]).toEqual([130, "stopped by SIGINT", "stopped by SIGINT"]);
    expect(both.listenersKept).toEqual([0, 0]);
  });
});

describe("the run's progress lines and its edges", () => {
  const logged = async (extra: Partial<RunOptions>, target = mock.url) => {
    const lines: string[] = [];
    const result = await runConformance(options(target, { ...extra, log: (line) => lines.push(line) }));
    return { lines, result };
  };
  const planned = (result: RunResult) => result.outcomes.filter((one) => one.testCase.category !== "generated").length;
  const generated = (result: RunResult) => result.outcomes.filter((one) => one.testCase.category === "generated").length;

  it("against the mock: who it is, the planned cases, the generated ones with their seed, the callbacks", async () => {
    const { lines, result } = await logged({ runs: 3, checkCallbacks: true, callbackWaitMs: 5_000 });
    const accepted = result.outcomes.filter((one) => one.observed.status === 202).length;
    expect(generated(result)).toBe(3);
    expect(result.callbacks!.messages).toBe(accepted);
    expect(lines).toEqual([
      `${mock.url}/ identified itself as the kit's mock: the full plan.`,
      `${planned(result)} planned cases sent`,
      `3 generated valid requests sent (seed ${seed})`,
      `${result.callbacks!.received} status callbacks of ${accepted} accepted sends checked`,
    ]);
    expect(result.ok).toBe(true);
  });

  it("a target treated as remote: the safe plan and nothing generated, unless sends are allowed, and then only as many as allowed", async () => {
    const safe = await logged({ treatAsRemote: true, runs: 5 });
    expect(safe.lines).toEqual([`${mock.url}/ is not the kit's mock: the safe plan.`, `${planned(safe.result)} planned cases sent`]);
    expect(safe.result.acceptableSent).toBe(0);
    const to = "+919900112233";
    // One send allowed and one valid example in the safe plan: no room left for generated ones.
    const one = await logged({ treatAsRemote: true, runs: 5, allowSend: true, to, maxSends: 1 });
    expect(one.lines).toEqual([
      `${mock.url}/ is not the kit's mock: the safe plan, plus at most 1 request(s) that may be accepted, to ${to}.`,
      `${planned(one.result)} planned cases sent`,
    ]);
    expect(one.result.acceptableSent).toBe(1);
    // As many as the plan holds, then two more: two generated ones.
    const fromPlan = (await logged({ treatAsRemote: true, runs: 0, allowSend: true, to, maxSends: 1000 })).result.acceptableSent;
    expect(fromPlan).toBeGreaterThan(1);
    const ten = await logged({ treatAsRemote: true, runs: 5, allowSend: true, to, maxSends: fromPlan + 2 });
    expect([ten.result.acceptableSent, generated(ten.result)]).toEqual([fromPlan + 2, 2]);
    expect(ten.lines.at(-1)).toBe(`2 generated valid requests sent (seed ${seed})`);
    // Every generated request went to the recipient given.
    for (const outcome of ten.result.outcomes.filter((one) => one.testCase.category === "generated"))
      expect(JSON.parse(outcome.testCase.request.body!).messaging_object.to).toBe(to);
  });

  it("the identity probe carries no key and asks for JSON; an answer too large to be the mock's is a live target, not an unreachable one", async () => {
    const probes: Record<string, unknown>[] = [];
    const result = await withServer(
      {
        request: ({ path, headers }) => {
          if (!path.startsWith(identityPath)) return undefined;
          probes.push(headers);
          return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ padding: "x".repeat(32 * 1024) }) };
        },
      },
      (url) => runConformance(options(url, { runs: 0 })),
    );
    expect(probes).toHaveLength(1);
    expect(probes[0]).toMatchObject({ accept: "application/json" });
    expect(Object.keys(probes[0]!).filter((name) => /api-key|authorization/i.test(name))).toEqual([]);
    expect([result.mode, result.diagnosis]).toEqual(["live", undefined]);
  });

  it("a run's seed is drawn when not given, a whole number below 2^31 that the run reports", async () => {
    const { seed: _given, ...unseeded } = options(mock.url, { treatAsRemote: true, runs: 0 });
    const result = await runConformance(unseeded);
    expect(Number.isInteger(result.seed)).toBe(true);
    expect(result.seed).toBeGreaterThanOrEqual(0);
    expect(result.seed).toBeLessThan(2 ** 31);
  });

  it("a signal already aborted stops the run before its first case, as the user's stop", async () => {
    const stopped = new AbortController();
    stopped.abort();
    const { result, lines } = await logged({ signal: stopped.signal });
    expect([result.interrupted, result.diagnosis, result.outcomes, result.ok]).toEqual(["stopped by the user", undefined, [], false]);
    // Nothing generated is even tried: no line for it.
    expect(lines).toEqual([`${mock.url}/ is not the kit's mock: the safe plan.`, "0 planned cases sent"]);
  });
});

describe("the callback stage against mocks that do not play along", () => {
  const callbacksPath = adminPath("listCallbacks");

  it("a mock whose admin API has no callbacks resource: nothing checked, nothing failed", async () => {
    const result = await withServer({ request: ({ path }) => (path.startsWith(callbacksPath) ? { status: 404, headers: {}, body: "" } : undefined) }, (url) =>
      runConformance(options(url, { runs: 0, checkCallbacks: true })),
    );
    expect([result.mode, result.callbacks, result.ok]).toEqual(["mock", undefined, true]);
  });

  it("a mock that takes the receiver but never calls it: every accepted send incomplete, in its words", async () => {
    const result = await withServer(
      { request: ({ method, path }) => (method === "PUT" && path.startsWith(callbacksPath) ? { status: 204, headers: {}, body: "" } : undefined) },
      (url) => runConformance(options(url, { runs: 0, checkCallbacks: true, callbackWaitMs: 300 })),
    );
    const accepted = result.outcomes.flatMap((one) =>
      one.observed.status === 202 ? [(one.observed.json as { data: { message_id: string } }).data.message_id] : [],
    );
    expect(accepted.length).toBeGreaterThan(0);
    expect(result.callbacks).toEqual({
      messages: accepted.length,
      received: 0,
      findings: accepted.map((messageId) => ({ check: "complete", messageId, message: "no whole sequence within 300 ms (got nothing)" })),
    });
    expect(result.ok).toBe(false);
  });
});

describe("conform's --target, refused in its words", () => {
  it("not http(s), a query or a fragment, even empty ones", async () => {
    const refused = async (target: string) => (await cli(["--target", target, "--sid", sid, "--phone-number", businessNumber])).err;
    const words = (message: string) => [`conform: ${message}\nRun kaleyra-video conform --help.`];
    expect(await refused("ftp://127.0.0.1:9")).toEqual(words("--target must be an http(s) URL or one of the pods in, sg, eu, na"));
    for (const target of ["http://127.0.0.1:9/?a=1", "http://127.0.0.1:9/#f", "http://127.0.0.1:9/?", "http://127.0.0.1:9#"]) {
      expect(await refused(target), target).toEqual(words("--target must not have a query or fragment"));
    }
  });
});

describe("a run cut short, and a failing generated request", () => {
  it("a request cut by the stop is not reported as unanswered, and nothing generated is tried after it", async () => {
    const lines: string[] = [];
    // Two answers at once; the third request is held, and the user stops the run while it is.
    const stop = new AbortController();
    let posts = 0;
    const holdTheThird = ({ method }: { method: string }) => {
      if (method !== "POST" || ++posts < 3) return 0;
      stop.abort();
      return 10_000;
    };
    const result = await withServer({ delayMs: holdTheThird }, (url) => runConformance(options(url, { signal: stop.signal, log: (line) => lines.push(line) })));
    expect(result.interrupted).toBe("stopped by the user");
    expect(result.outcomes).toHaveLength(2);
    expect(result.outcomes.filter((one) => one.observed.status === undefined)).toEqual([]);
    expect(lines.filter((line) => /generated/.test(line))).toEqual([]);
  });

  it("against the mock, the first failing generated request is reported once, then shrunk to the smallest", async () => {
    const failing: Distortion = {
      request: ({ method, path }) =>
        method === "POST" && !path.startsWith(identityPath)
          ? { status: 500, headers: { "content-type": "application/json" }, body: JSON.stringify(example("internal-error").value) }
          : undefined,
    };
    const result = await withServer(failing, (url) => runConformance(options(url, { runs: 10 })));
    expect(result.outcomes.filter((one) => one.testCase.category === "generated")).toHaveLength(1);
    expect([result.shrunk?.testCase.category, result.shrunk?.testCase.title]).toEqual(["generated", "generated valid request"]);
    expect(result.shrunk!.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(["no_server_error", "accepts_valid"]);
    expect(result.ok).toBe(false);
  });
});

describe("sends to a remote target without --max-sends", () => {
  it("one at most, and the first line says so", async () => {
    const lines: string[] = [];
    const to = "+919900112233";
    const result = await runConformance(options(mock.url, { treatAsRemote: true, allowSend: true, to, runs: 5, log: (line) => lines.push(line) }));
    expect(lines[0]).toBe(`${mock.url}/ is not the kit's mock: the safe plan, plus at most 1 request(s) that may be accepted, to ${to}.`);
    expect(result.acceptableSent).toBe(1);
  });
});

describe("a target that takes a path it should refuse", () => {
  it("is lenient, naming the path parameter", async () => {
    const spaced: Distortion = { request: ({ method, path }) => (method === "POST" && path.includes("%20/") ? accepted() : undefined) };
    const result = await withServer(spaced, (url) => runConformance(options(url, { runs: 0 })));
    const taken = result.outcomes.filter((one) => one.checks.some((check) => !check.ok));
    expect(taken.map((one) => one.testCase.title)).toEqual(["path sid: breaks pattern"]);
    expect(taken[0]!.checks.filter((check) => !check.ok).map(({ name, severity, fields }) => ({ name, severity, fields }))).toEqual([
      { name: "rejects_invalid", severity: "leniency", fields: ["path sid"] },
    ]);
  });
});

describe("a target that answers once and then stops answering", () => {
  it("is judged case by case, not diagnosed as unreachable", async () => {
    let answered = 0;
    const server = createHttpServer((request, response) => {
      if (answered++ > 0) return void request.socket.destroy();
      const refusal = example("incorrect-sid-or-api-key");
      response.writeHead(refusal.status, { "content-type": "application/json" }).end(JSON.stringify(refusal.value));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const result = await runConformance(options(`http://127.0.0.1:${(server.address() as { port: number }).port}`, { treatAsRemote: true, runs: 0 }));
      expect(result.diagnosis).toBeUndefined();
      expect(result.outcomes[0]!.observed.status).toBe(401);
      expect(result.outcomes.length).toBeGreaterThan(2);
      expect(
        result.outcomes.slice(1).every((one) => one.observed.status === undefined && one.checks.some((check) => check.name === "answered" && !check.ok)),
      ).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
