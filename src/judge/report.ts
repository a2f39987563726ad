// What a run found, for people (a summary) and for CI systems (JUnit XML, JSON). The key never
// appears: requests are shown as curl lines that read it from $KALEYRA_API_KEY.
import { operation } from "../contract/operation.ts";
import { envelopeCode } from "../contract/request.ts";
import type { CheckName, CheckResult, Severity } from "./checks.ts";
import type { CaseOutcome, RunResult } from "./result.ts";
import { findingRank, maxKeptOutcomes, maxNamedKinds, OutcomeTally, tallyOf, type FindingHead } from "./tally.ts";
import { printable } from "../http/printable.ts";

export interface CoverageRow {
  example: string;
  status: number;
  code: string;
  observed: number;
}

/**
 * The counts of a result: recorded traffic's own tally (its outcomes are only the ones kept), or
 * a tally of a planned run's outcomes, and of its smallest failing request with `withShrunk`.
 */
function counts(result: RunResult, withShrunk = false): OutcomeTally {
  return tallyOf(result) ?? OutcomeTally.of(withShrunk && result.shrunk ? [...result.outcomes, result.shrunk] : result.outcomes);
}

export function coverage(result: RunResult): CoverageRow[] {
  const tally = counts(result);
  return operation().examples.map((example) => ({
    example: example.name,
    status: example.status,
    code: (example.value as { code: string }).code,
    observed: tally.observed(example.name),
  }));
}

/** Per check: answers that passed it, and that failed it (`leniency` of them leniency). */
export function checkTotals(result: RunResult): { name: CheckName; passed: number; failed: number; leniency: number }[] {
  return counts(result, true).checkTotals();
}

const severityOf = (check: CheckResult): Severity => check.severity ?? "violation";

/** Cases with a failed check of that severity (any, without one); of recorded traffic, the ones kept. */
export function failures(result: RunResult, severity?: Severity): CaseOutcome[] {
  return result.outcomes.filter((outcome) => outcome.checks.some((check) => !check.ok && (severity === undefined || severityOf(check) === severity)));
}

export interface Finding {
  check: CheckName;
  severity: Severity;
  category: string;
  title: string;
  detail: string;
  fields: string[];
  curl: string;
}

/** Every failed check (of recorded traffic, the kept outcomes'), the most useful first: violations before leniency, then by check. */
export function findings(result: RunResult): Finding[] {
  const rank = (finding: Finding) => findingRank(finding.severity, finding.check);
  return [...result.outcomes, ...(result.shrunk ? [result.shrunk] : [])]
    .flatMap((outcome) =>
      outcome.checks
        .filter((check) => !check.ok)
        .map(
          (check): Finding => ({
            check: check.name,
            severity: severityOf(check),
            category: outcome.testCase.category,
            title: outcome.testCase.title,
            detail: check.detail,
            fields: check.fields ?? [],
            curl: outcome.curl,
          }),
        ),
    )
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => rank(a.finding) - rank(b.finding) || a.index - b.index)
    .map(({ finding }) => finding);
}

/** Request fields a target took that the contract refuses, with how often. */
export function lenientFields(result: RunResult): { field: string; count: number }[] {
  return counts(result, true).lenientFields();
}

/** The one line to read first: a diagnosis, a hint, or the most useful finding. */
export function firstFinding(result: RunResult): string | undefined {
  if (result.diagnosis) return result.diagnosis.message;
  const top: FindingHead | undefined = tallyOf(result)?.first() ?? findings(result)[0];
  if (result.hints.length && (top === undefined || top.severity === "violation")) return result.hints[0];
  if (!top) return result.callbacks?.findings[0] ? `${result.callbacks.findings[0].check}: ${printable(result.callbacks.findings[0].message)}` : undefined;
  return `${top.check} (${top.severity}) on [${top.category}] ${top.title}: ${printable(top.detail)}`;
}

/** Statuses and codes the target answered that the contract does not document, with a sample. */
export function undocumentedAnswers(result: RunResult): { status: number; code: string | null; count: number; sample: string; request: string }[] {
  return counts(result).undocumentedAnswers();
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** An outcome's lines: a check's detail and the target's code are the target's text, escaped. */
function describe(outcome: CaseOutcome, severity?: Severity): string {
  const answer =
    outcome.observed.status === undefined
      ? `no answer (${printable(outcome.observed.transportError ?? "")})`
      : `${outcome.observed.status} ${printable(envelopeCode(outcome.observed.json) ?? "")}`.trim();
  const failed = outcome.checks
    .filter((check) => !check.ok && (severity === undefined || severityOf(check) === severity))
    .map((check) => `    ✗ ${check.name}: ${printable(check.detail)}`);
  return [`  [${outcome.testCase.category}] ${outcome.testCase.title} → ${answer}`, ...failed, `    ${outcome.curl}`].join("\n");
}

/** The drift summary: per check, the exchanges that failed it; answers and fields the contract lacks. */
export function drift(result: RunResult): string {
  const lines = ["Drift:"];
  const failing = checkTotals(result).filter((row) => row.failed > 0);
  lines.push(
    failing.length
      ? failing
          .map((row) => `  ${row.name}: ${row.failed} of ${row.passed + row.failed} exchanges failed${row.leniency ? ` (${row.leniency} leniency)` : ""}`)
          .join("\n")
      : "  every check passed on every exchange",
  );
  const answers = undocumentedAnswers(result);
  if (answers.length) {
    lines.push("  Answers the contract does not document:");
    // The upstream's code and body, and the request's path, are anyone's text: escaped.
    for (const row of answers)
      lines.push(`    ${row.status} ${printable(row.code ?? "(no code)")} × ${row.count}, e.g. to ${printable(row.request)}: ${printable(row.sample)}`);
    const other = counts(result).otherUndocumentedAnswers;
    if (other) lines.push(`    and ${other} more of other statuses and codes (counted; the first ${maxNamedKinds} kinds are named)`);
  }
  const fields = lenientFields(result);
  const otherFields = counts(result, true).otherLenientFields;
  if (fields.length)
    lines.push(
      `  Request fields the target accepted that the contract refuses: ${fields.map((row) => `${printable(row.field)} (${row.count})`).join(", ")}${otherFields ? `, and ${otherFields} more in other fields (counted; the first ${maxNamedKinds} are named)` : ""}`,
    );
  return lines.join("\n");
}

export function summary(result: RunResult, maxFailuresShown = 20): string {
  const lines: string[] = [];
  const plan =
    result.mode === "live"
      ? "safe plan: nothing a real pod would deliver, unless --allow-send"
      : result.mode === "mock"
        ? "full plan: the target proved it is the kit's mock"
        : "full plan: --trusted-target";
  const tally = counts(result);
  if (result.recording) {
    const { exchanges, outside, file } = result.recording;
    lines.push(
      `Recorded traffic with ${result.target}${file ? ` (${file})` : ""} judged against the contract: ${exchanges} exchanges, ${tally.cases} on the contract's path, ${outside} outside it (not checked).`,
    );
  } else
    lines.push(
      `Conformance of ${result.target} to the contract (seed ${result.seed}; ${plan}): ${result.outcomes.length} cases, ${result.requestsSent} requests sent in all.`,
    );
  if (result.interrupted) lines.push(`PARTIAL: the run stopped early (${result.interrupted}); this reports what ran.`);
  if (result.diagnosis) {
    lines.push(`STOPPED: ${result.diagnosis.message}`);
    return lines.join("\n");
  }
  // A passing run has no first finding to show, but its hints still show, each once.
  const first = result.ok ? undefined : firstFinding(result);
  if (first) lines.push(`First: ${first}`);
  for (const hint of result.hints) if (hint !== first) lines.push(`Hint: ${hint}`);
  if (result.recording) {
    lines.push("");
    lines.push(drift(result));
  }
  lines.push("");
  lines.push("Documented responses observed:");
  lines.push(
    table([
      ["status", "code", "example", "observed"],
      ...coverage(result).map((row) => [String(row.status), row.code, row.example, row.observed ? `yes (${row.observed})` : "no"]),
    ]),
  );
  lines.push("");
  lines.push("Checks:");
  lines.push(
    table([
      ["check", "passed", "violations", "leniency"],
      ...checkTotals(result).map((row) => [row.name, String(row.passed), String(row.failed - row.leniency), String(row.leniency)]),
    ]),
  );
  const violations = tally.casesWith("violation");
  const failed = failures(result, "violation").slice(0, maxFailuresShown);
  if (violations) {
    lines.push("");
    lines.push(`Violations (${violations}${violations > failed.length ? `, first ${failed.length} shown` : ""}):`);
    for (const outcome of failed) lines.push(describe(outcome, "violation"));
  }
  const leniencies = tally.casesWith("leniency");
  const lenient = failures(result, "leniency").slice(0, maxFailuresShown);
  if (leniencies) {
    lines.push("");
    const fields = lenientFields(result)
      .map((row) => `${row.field} (${row.count})`)
      .join(", ");
    lines.push(
      result.lenient
        ? `Leniency (${leniencies}, reported, not failed: --lenient): the contract may be stricter than the target. Taken though the contract refuses: ${fields}.`
        : `Leniency (${leniencies}): the target accepts what the contract refuses: ${fields}. If the target is right, the contract is too strict; --lenient reports this without failing.`,
    );
    for (const outcome of lenient) lines.push(describe(outcome, "leniency"));
    if (leniencies > lenient.length) lines.push(`  (${lenient.length} of ${leniencies} shown)`);
  }
  if (result.shrunk?.checks.some((check) => !check.ok)) {
    lines.push("");
    lines.push(`Smallest generated request that fails (seed ${result.seed}; rerun with --seed ${result.seed}):`);
    lines.push(describe(result.shrunk));
  }
  if (result.callbacks) {
    const { messages, received, findings } = result.callbacks;
    lines.push("");
    lines.push(
      `Status callbacks: ${received} received for ${messages} accepted sends; ${findings.length ? `${findings.length} violation(s):` : "every one valid and in order."}`,
    );
    for (const finding of findings.slice(0, maxFailuresShown)) lines.push(`  ✗ ${finding.check} (${finding.messageId ?? "no message id"}): ${finding.message}`);
  }
  lines.push("");
  const judged = counts(result, true);
  const departs = judged.casesWith("violation") > 0 || (!result.lenient && judged.casesWith("leniency") > 0) || (result.callbacks?.findings.length ?? 0) > 0;
  lines.push(
    departs
      ? "FAIL: the target departs from the contract (see above)."
      : result.interrupted
        ? "INCOMPLETE: no departure in what ran, but the run did not finish."
        : leniencies
          ? "PASS with leniency: every answer is what the contract says, or leniency you allowed (--lenient)."
          : "PASS: every answer is what the contract says.",
  );
  lines.push(`${tally.passed} passed, ${tally.cases - tally.passed} failed`);
  return lines.join("\n");
}

const xml = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 cannot hold these control characters, so they are dropped
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

export function junit(result: RunResult): string {
  const cases = [...result.outcomes, ...(result.shrunk ? [result.shrunk] : [])];
  const callbackFindings = result.callbacks?.findings ?? [];
  const failuresXml = (checks: CheckResult[], curl: string) =>
    checks.map((check) => `      <failure type="${check.name}" message="${xml(`${check.name}: ${check.detail}`)}">${xml(curl)}</failure>`).join("\n");
  const testcase = (classname: string, name: string, seconds: string, inner: string) =>
    inner
      ? `    <testcase classname="${classname}" name="${xml(name)}" time="${seconds}">\n${inner}\n    </testcase>`
      : `    <testcase classname="${classname}" name="${xml(name)}" time="${seconds}"/>`;
  const seconds = (outcome: CaseOutcome) => (outcome.observed.milliseconds / 1000).toFixed(3);

  // Violations: every case, failed by its violations only.
  const contract = cases.map((outcome, index) => {
    const failed = outcome.checks.filter((check) => !check.ok && severityOf(check) === "violation");
    return testcase(`conformance.${outcome.testCase.category}`, `${outcome.testCase.title} #${index + 1}`, seconds(outcome), failuresXml(failed, outcome.curl));
  });
  if (result.diagnosis)
    contract.push(
      testcase(
        "conformance.diagnosis",
        "the target can be judged",
        "0",
        `      <failure type="${result.diagnosis.kind}" message="${xml(result.diagnosis.message)}"/>`,
      ),
    );
  const tally = tallyOf(result);
  // Recorded traffic past what is kept: one case stands for the rest, failed if any of them failed.
  const notKept = tally?.notKept();
  const more = notKept ? notKept.violation + notKept.leniency + notKept.passed : 0;
  if (notKept && more) {
    const inner = notKept.violation
      ? `      <failure type="not-kept" message="${xml(`${notKept.violation} of them with a violation, counted in the checks' totals`)}"/>`
      : "";
    contract.push(
      testcase(
        "conformance.recorded",
        `${more} more exchanges judged: counted, not listed (at most ${maxKeptOutcomes} are kept whole, violations first)`,
        "0",
        inner,
      ),
    );
  }
  if (result.callbacks) {
    const inner = callbackFindings
      .map(
        (finding) =>
          `      <failure type="${finding.check}" message="${xml(`${finding.check}: ${finding.message}`)}">${xml(finding.messageId ?? "")}</failure>`,
      )
      .join("\n");
    contract.push(testcase("conformance.callbacks", "status callbacks of the accepted sends", "0", inner));
  }
  // Leniency: its own suite; skipped, not failed, under --lenient.
  const lenientCases = cases.flatMap((outcome, index) => {
    const taken = outcome.checks.filter((check) => !check.ok && check.severity === "leniency");
    if (!taken.length) return [];
    const inner = result.lenient
      ? `      <skipped message="${xml(`leniency reported (--lenient): ${taken.map((check) => check.detail).join("; ")}`)}"/>`
      : failuresXml(taken, outcome.curl);
    return [testcase(`conformance.leniency.${outcome.testCase.category}`, `${outcome.testCase.title} #${index + 1}`, seconds(outcome), inner)];
  });
  const lenientMore = tally ? tally.casesWith("leniency") - lenientCases.length : 0;
  if (lenientMore) {
    const why = `${lenientMore} of them with leniency, counted in the checks' totals`;
    lenientCases.push(
      testcase(
        "conformance.leniency.recorded",
        `${lenientMore} more exchanges with leniency, counted but not kept`,
        "0",
        result.lenient
          ? `      <skipped message="${xml(`leniency reported (--lenient): ${why}`)}"/>`
          : `      <failure type="not-kept" message="${xml(why)}"/>`,
      ),
    );
  }
  const failedIn = (items: string[]) => items.filter((item) => item.includes("<failure")).length;
  const properties = `    <properties><property name="seed" value="${result.seed}"/><property name="mode" value="${result.mode}"/><property name="requestsSent" value="${result.requestsSent}"/><property name="lenient" value="${result.lenient}"/>${result.interrupted ? `<property name="interrupted" value="${xml(result.interrupted)}"/>` : ""}${tally ? `<property name="exchanges" value="${tally.exchanges}"/><property name="judged" value="${tally.cases}"/><property name="kept" value="${result.outcomes.length}"/>` : ""}</properties>`;
  const suite = (name: string, items: string[], withProperties: boolean) => [
    `  <testsuite name="${xml(name)}" tests="${items.length}" failures="${failedIn(items)}" skipped="${items.filter((item) => item.includes("<skipped")).length}">`,
    ...(withProperties ? [properties] : []),
    ...items,
    "  </testsuite>",
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kaleyra-video conformance" tests="${contract.length + lenientCases.length}" failures="${failedIn(contract) + failedIn(lenientCases)}">`,
    ...suite(result.target, contract, true),
    ...(lenientCases.length ? suite(`leniency: ${result.target}`, lenientCases, false) : []),
    "</testsuites>",
    "",
  ].join("\n");
}

export function jsonReport(result: RunResult): string {
  const tally = tallyOf(result);
  // Recorded traffic: which lists are a sample, and the exact counts behind them.
  const sample = tally && {
    note: `cases and findings are a sample: the outcomes kept whole (at most ${maxKeptOutcomes}: violations first, then leniency, then passes); checks, coverage, undocumentedAnswers, lenientFields and these counts are exact`,
    judged: tally.cases,
    passed: tally.passed,
    withViolation: tally.casesWith("violation"),
    withLeniency: tally.casesWith("leniency"),
    kept: result.outcomes.length,
    notKept: tally.notKept(),
    otherUndocumentedAnswers: tally.otherUndocumentedAnswers,
    otherLenientFields: tally.otherLenientFields,
  };
  return JSON.stringify(
    {
      target: result.target,
      mode: result.mode,
      remote: result.remote,
      requestsSent: result.requestsSent,
      interrupted: result.interrupted ?? null,
      diagnosis: result.diagnosis ?? null,
      hints: result.hints,
      lenient: result.lenient,
      seed: result.seed,
      ok: result.ok,
      first: result.ok ? null : (firstFinding(result) ?? null),
      coverage: coverage(result),
      checks: checkTotals(result),
      findings: findings(result),
      lenientFields: lenientFields(result),
      recording: result.recording ?? null,
      ...(sample ? { sample } : {}),
      undocumentedAnswers: undocumentedAnswers(result),
      cases: result.outcomes.map((outcome) => ({
        category: outcome.testCase.category,
        title: outcome.testCase.title,
        expect: outcome.testCase.expect,
        status: outcome.observed.status ?? null,
        code: envelopeCode(outcome.observed.json) ?? null,
        example: outcome.example ?? null,
        milliseconds: Math.round(outcome.observed.milliseconds),
        checks: outcome.checks,
        curl: outcome.curl,
      })),
      shrunk: result.shrunk ? { title: result.shrunk.testCase.title, checks: result.shrunk.checks, curl: result.shrunk.curl } : null,
      callbacks: result.callbacks ?? null,
    },
    null,
    2,
  );
}
