// The reports on the runs the golden tests of run-control.test.ts do not make: a diagnosed run,
// a trusted and a live one, recorded drift with answers the contract lacks, leniency under
// --lenient in JUnit, text that must be escaped. Whole texts again; no server.
import { describe, expect, it } from "vitest";
import { made, ok, outcome } from "../test/support/made-run.ts";
import { drift, failures, findings, firstFinding, jsonReport, junit, lenientFields, summary, undocumentedAnswers } from "../src/judge/report.ts";
import { OutcomeTally } from "../src/judge/tally.ts";
import { envelopeCode } from "../src/contract/request.ts";
import type { CaseOutcome, RunResult } from "../src/judge/result.ts";
import { hasUnsafeCharacters } from "../src/http/printable.ts";

const lenientCase = (title: string, fields: string[] | undefined, details = ["took it"]) =>
  outcome(
    "invalid",
    title,
    202,
    "WA202",
    details.map((detail) => ({ name: "rejects_invalid" as const, ok: false, detail, severity: "leniency" as const, ...(fields ? { fields } : {}) })),
    "accepted",
  );

describe("a diagnosed run", () => {
  const diagnosed = made({
    diagnosis: { kind: "unreachable", message: "nothing answers at http://127.0.0.1:9 (network: ECONNREFUSED)" } as RunResult["diagnosis"],
    outcomes: [],
    shrunk: undefined,
    callbacks: undefined,
    hints: [],
  });

  it("the summary stops at the diagnosis, and it is the first finding", () => {
    expect(summary(diagnosed)).toBe(
      [
        "Conformance of http://127.0.0.1:4010 to the contract (seed 42; full plan: the target proved it is the kit's mock): 0 cases, 9 requests sent in all.",
        "STOPPED: nothing answers at http://127.0.0.1:9 (network: ECONNREFUSED)",
      ].join("\n"),
    );
    expect(firstFinding(diagnosed)).toBe("nothing answers at http://127.0.0.1:9 (network: ECONNREFUSED)");
  });

  it("JUnit says so in a failed case of its own, and has no callbacks case without callbacks", () => {
    expect(junit(diagnosed)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="kaleyra-video conformance" tests="1" failures="1">',
        '  <testsuite name="http://127.0.0.1:4010" tests="1" failures="1" skipped="0">',
        '    <properties><property name="seed" value="42"/><property name="mode" value="mock"/><property name="requestsSent" value="9"/><property name="lenient" value="false"/></properties>',
        '    <testcase classname="conformance.diagnosis" name="the target can be judged" time="0">',
        '      <failure type="unreachable" message="nothing answers at http://127.0.0.1:9 (network: ECONNREFUSED)"/>',
        "    </testcase>",
        "  </testsuite>",
        "</testsuites>",
        "",
      ].join("\n"),
    );
  });
});

describe("the plan named in the summary's first line", () => {
  const first = (mode: RunResult["mode"]) => summary(made({ mode })).split("\n")[0];
  it("live, trusted and mock each in their words", () => {
    expect(first("live")).toBe(
      "Conformance of http://127.0.0.1:4010 to the contract (seed 42; safe plan: nothing a real pod would deliver, unless --allow-send): 5 cases, 9 requests sent in all.",
    );
    expect(first("trusted")).toBe(
      "Conformance of http://127.0.0.1:4010 to the contract (seed 42; full plan: --trusted-target): 5 cases, 9 requests sent in all.",
    );
    expect(first("mock")).toBe(
      "Conformance of http://127.0.0.1:4010 to the contract (seed 42; full plan: the target proved it is the kit's mock): 5 cases, 9 requests sent in all.",
    );
  });

  it("a recording without a file names none", () => {
    expect(summary(made({ recording: { exchanges: 3, outside: 0 } })).split("\n")[0]).toBe(
      "Recorded traffic with http://127.0.0.1:4010 judged against the contract: 3 exchanges, 5 on the contract's path, 0 outside it (not checked).",
    );
  });
});

describe("the first finding and the hints", () => {
  const onlyLenient = made({ outcomes: [lenientCase("caption of 1025", ["messaging_object.video.caption"])], shrunk: undefined, callbacks: undefined });

  it("a hint comes first before a violation, not before leniency", () => {
    expect(firstFinding(made())).toBe("the target answers 500 to malformed JSON");
    expect(firstFinding(onlyLenient)).toBe("rejects_invalid (leniency) on [invalid] caption of 1025: took it");
    expect(firstFinding(made({ outcomes: [], shrunk: undefined, callbacks: undefined }))).toBe("the target answers 500 to malformed JSON");
  });

  it("with no failed case, the first callback finding; with nothing, none", () => {
    const quiet = { outcomes: [], shrunk: undefined, hints: [] };
    expect(firstFinding(made(quiet))).toBe("in_order: READ after nothing");
    expect(firstFinding(made({ ...quiet, callbacks: undefined }))).toBeUndefined();
    expect(firstFinding(made({ ...quiet, callbacks: { messages: 1, received: 1, findings: [] } as RunResult["callbacks"] }))).toBeUndefined();
  });

  it("a passing run prints no First line; every hint but the first finding prints as a Hint", () => {
    const passing = made({
      ok: true,
      outcomes: [made().outcomes[0]!],
      shrunk: undefined,
      callbacks: { messages: 1, received: 2, findings: [] } as RunResult["callbacks"],
      hints: ["one", "two"],
    });
    expect(
      summary(passing)
        .split("\n")
        .filter((line) => /^(First|Hint):/.test(line)),
    ).toEqual(["Hint: one", "Hint: two"]);
    expect(summary(passing)).toContain("\nStatus callbacks: 2 received for 1 accepted sends; every one valid and in order.\n");
    expect(
      summary(made({ hints: ["one", "two"] }))
        .split("\n")
        .filter((line) => /^(First|Hint):/.test(line)),
    ).toEqual(["First: one", "Hint: two"]);
  });
});

describe("failures, findings and lenient fields", () => {
  it("failures without a severity are the cases with any failed check", () => {
    expect(failures(made()).map((one) => one.testCase.title)).toEqual(["caption too long", "caption of 1025", "by-link", "with-extra-info"]);
    expect(failures(made(), "leniency").map((one) => one.testCase.title)).toEqual(["caption of 1025"]);
  });

  it("leniency without fields counts under the case's title; counts sort high to low, then by name", () => {
    const run = made({
      outcomes: [
        lenientCase("unknown property", undefined),
        lenientCase("b", ["z.field"]),
        lenientCase("c", ["z.field", "a.field"]),
        lenientCase("d", ["a.field"]),
      ],
      shrunk: undefined,
    });
    expect(lenientFields(run)).toEqual([
      { field: "a.field", count: 2 },
      { field: "z.field", count: 2 },
      { field: "unknown property", count: 1 },
    ]);
    expect(findings(run).map((finding) => finding.title)).toEqual(["unknown property", "b", "c", "d"]);
  });
});

describe("recorded drift", () => {
  const undocumented = (title: string, status: number, code: string | undefined, text: string) => ({
    ...outcome("recorded", title, status, code, [{ name: "status_documented" as const, ok: false, detail: `${status} is not documented` }]),
    observed: { status, json: code === undefined ? {} : { code }, text, milliseconds: 1 } as unknown as RunResult["outcomes"][number]["observed"],
  });

  it("groups the answers the contract lacks by status and code, with a one-line sample of 200 characters", () => {
    const run = made({
      recording: { exchanges: 5, outside: 0 },
      outcomes: [
        undocumented("first", 429, "RATE", `{\n  "code": "RATE",\t"message":   "slow down" }`),
        undocumented("second", 429, "RATE", "{}"),
        undocumented("third", 429, "BURST", `{"code":"BURST","message":"${"x".repeat(300)}"}`),
        undocumented("fourth", 418, undefined, "teapot"),
        { ...undocumented("fifth", 503, "DOWN", "{}"), checks: [{ name: "code_documented" as const, ok: false, detail: "DOWN is not documented" }] },
      ],
      shrunk: undefined,
      callbacks: undefined,
      hints: [],
    });
    const rows = undocumentedAnswers(run);
    expect(rows.map(({ status, code, count, request }) => [status, code, count, request])).toEqual([
      [429, "RATE", 2, "first"],
      [418, null, 1, "fourth"],
      [429, "BURST", 1, "third"],
      [503, "DOWN", 1, "fifth"],
    ]);
    expect(rows[0]!.sample).toBe('{ "code": "RATE", "message": "slow down" }');
    expect(rows[2]!.sample).toBe(`{"code":"BURST","message":"${"x".repeat(300)}"}`.slice(0, 200));
    expect(drift(run)).toBe(
      [
        "Drift:",
        "  status_documented: 4 of 4 exchanges failed",
        "  code_documented: 1 of 1 exchanges failed",
        "  Answers the contract does not document:",
        '    429 RATE × 2, e.g. to first: { "code": "RATE", "message": "slow down" }',
        "    418 (no code) × 1, e.g. to fourth: teapot",
        `    429 BURST × 1, e.g. to third: ${`{"code":"BURST","message":"${"x".repeat(300)}"}`.slice(0, 200)}`,
        "    503 DOWN × 1, e.g. to fifth: {}",
      ].join("\n"),
    );
  });

  it("says every check passed when none failed; two lenient fields joined by a comma", () => {
    expect(drift(made({ outcomes: [made().outcomes[0]!], shrunk: undefined }))).toBe("Drift:\n  every check passed on every exchange");
    const lenient = drift(made({ outcomes: [lenientCase("c", ["a.field", "b.field"])], shrunk: undefined }));
    expect(lenient.split("\n").at(-1)).toBe("  Request fields the target accepted that the contract refuses: a.field (1), b.field (1)");
  });
});

describe("limits on what the summary shows", () => {
  it("leniency and callback findings are cut at the limit too; a shrunk request with a failed check among passed ones shows", () => {
    const run = made({
      outcomes: [lenientCase("one", ["a"]), lenientCase("two", ["b"])],
      shrunk: outcome("generated", "smallest", 202, "WA202", [ok("status_documented"), { name: "no_server_error", ok: false, detail: "late 500" }]),
    });
    const lines = summary(run, 1).split("\n");
    expect(lines.filter((line) => line.startsWith("  [invalid]"))).toEqual(["  [invalid] one → 202 WA202"]);
    expect(lines.filter((line) => line.startsWith("  ✗ "))).toEqual(["  ✗ in_order (M1): READ after nothing"]);
    expect(lines).toContain("Smallest generated request that fails (seed 42; rerun with --seed 42):");
    expect(summary(made({ shrunk: outcome("generated", "smallest", 202, "WA202", [ok("status_documented")]) }))).not.toContain("Smallest generated request");
  });
});

describe("the summary's outside text", () => {
  it("escapes a target's check details and code where they are printed: no forged line, no terminal sequence", () => {
    const forged = "bad\nPASS: all checks passed\u001b[2J\u202e";
    const run = made({
      outcomes: [
        outcome("invalid", "caption", 400, `WA400\r\u001b]0;x\u0007`, [{ name: "status_documented", ok: false, detail: forged, severity: "violation" }]),
      ],
      shrunk: undefined,
      callbacks: undefined,
      hints: [],
    });
    const text = summary(run);
    const escapedDetail = "bad\\nPASS: all checks passed\\u001b[2J\\u202e";
    expect(text).toContain(`    ✗ status_documented: ${escapedDetail}`);
    expect(text).toContain("→ 400 WA400\\r\\u001b]0;x\\u0007");
    expect(firstFinding(run)).toBe(`status_documented (violation) on [invalid] caption: ${escapedDetail}`);
    // Nothing of the target's text starts a line of its own or reaches the terminal raw.
    expect(text.split("\n").filter((line) => line.startsWith("PASS"))).toEqual([]);
    expect(text.split("\n").filter(hasUnsafeCharacters)).toEqual([]);
  });
});

describe("outcomes kept for a report", () => {
  it("hold no answer text or headers and no request body, and every report reads the same from them as from the whole outcomes", () => {
    const run = made({ hints: [] });
    const whole = run.outcomes.map((kept) => ({
      ...kept,
      testCase: { ...kept.testCase, request: { body: "b".repeat(100_000) } as CaseOutcome["testCase"]["request"] },
      observed: { ...kept.observed, text: `${kept.observed.text}${" ".repeat(100_000)}`, headers: { "x-big": "h".repeat(1_000) } },
    }));
    const tally = new OutcomeTally();
    for (const each of whole) tally.add(each);
    const kept = tally.kept();
    expect(kept.map((each) => [each.testCase.request.body, each.observed.text, each.observed.headers])).toEqual(whole.map(() => ["", "", {}]));
    expect(kept.map((each) => [each.observed.status, envelopeCode(each.observed.json), each.curl])).toEqual(
      whole.map((each) => [each.observed.status, envelopeCode(each.observed.json), each.curl]),
    );
    const fromKept = { ...run, outcomes: kept, tally } as RunResult;
    const fromWhole = { ...run, outcomes: whole, tally } as RunResult;
    expect([summary(fromKept), junit(fromKept), jsonReport(fromKept)]).toEqual([summary(fromWhole), junit(fromWhole), jsonReport(fromWhole)]);
    expect(summary(fromKept)).toContain("500 to a request it should refuse");
  });
});

describe("JUnit's edges", () => {
  it("escapes markup and drops control characters; a case's failures one per line; leniency skipped under --lenient, with the interruption as a property", () => {
    const run = made({
      target: `http://h/?a=1&b="<x>"`,
      lenient: true,
      interrupted: "stopped by SIGINT & more",
      outcomes: [
        outcome("invalid", `caption <&> "quoted"\u0001\u000b`, 500, "WA500", [
          { name: "no_server_error", ok: false, detail: "500 <b>", severity: "violation" },
          { name: "status_documented", ok: false, detail: "500 & worse" },
        ]),
        lenientCase("taken", ["a"], ["took one", "took two"]),
      ],
      shrunk: undefined,
      callbacks: undefined,
    });
    expect(junit(run)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="kaleyra-video conformance" tests="3" failures="1">',
        '  <testsuite name="http://h/?a=1&amp;b=&quot;&lt;x&gt;&quot;" tests="2" failures="1" skipped="0">',
        '    <properties><property name="seed" value="42"/><property name="mode" value="mock"/><property name="requestsSent" value="9"/><property name="lenient" value="true"/><property name="interrupted" value="stopped by SIGINT &amp; more"/></properties>',
        '    <testcase classname="conformance.invalid" name="caption &lt;&amp;&gt; &quot;quoted&quot; #1" time="0.013">',
        '      <failure type="no_server_error" message="no_server_error: 500 &lt;b&gt;">curl -X POST \'caption &lt;&amp;&gt; &quot;quoted&quot;\'</failure>',
        '      <failure type="status_documented" message="status_documented: 500 &amp; worse">curl -X POST \'caption &lt;&amp;&gt; &quot;quoted&quot;\'</failure>',
        "    </testcase>",
        '    <testcase classname="conformance.invalid" name="taken #2" time="0.013"/>',
        "  </testsuite>",
        '  <testsuite name="leniency: http://h/?a=1&amp;b=&quot;&lt;x&gt;&quot;" tests="1" failures="0" skipped="1">',
        '    <testcase classname="conformance.leniency.invalid" name="taken #2" time="0.013">',
        '      <skipped message="leniency reported (--lenient): took one; took two"/>',
        "    </testcase>",
        "  </testsuite>",
        "</testsuites>",
        "",
      ].join("\n"),
    );
  });

  it("no leniency suite without lenient cases", () => {
    const xml = junit(made({ outcomes: [made().outcomes[0]!], shrunk: undefined, callbacks: undefined }));
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml).toContain('<testsuites name="kaleyra-video conformance" tests="1" failures="0">');
  });
});

describe("what the first report lines rest on", () => {
  it("violations come before leniency whatever the order of the cases, then by check and case", () => {
    const run = made({
      outcomes: [lenientCase("lenient first", ["a"]), made().outcomes[3]!, made().outcomes[1]!],
      shrunk: undefined,
      callbacks: undefined,
      hints: [],
    });
    expect(findings(run).map((finding) => [finding.severity, finding.check, finding.title])).toEqual([
      ["violation", "no_server_error", "caption too long"],
      ["violation", "status_documented", "by-link"],
      ["leniency", "rejects_invalid", "lenient first"],
    ]);
  });

  it("a case with no answer shows why; a leniency line names each field taken", () => {
    const lines = summary(
      made({ outcomes: [made().outcomes[4]!, lenientCase("two fields", ["a.b", "c"])], shrunk: undefined, callbacks: undefined, hints: [] }),
    ).split("\n");
    expect(lines).toContain("  [valid] with-extra-info → no answer (ECONNRESET)");
    expect(lines).toContain(
      "Leniency (1): the target accepts what the contract refuses: a.b (1), c (1). If the target is right, the contract is too strict; --lenient reports this without failing.",
    );
  });
});
