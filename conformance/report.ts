// What a run found, for people (a summary) and for CI systems (JUnit XML, JSON). The key never
// appears: requests are shown as curl lines that read it from $KALEYRA_API_KEY.
import { operation } from "../src/contract/operation.ts";
import { checkNames, usefulness, type CheckName, type CheckResult, type Severity } from "./checks.ts";
import type { CaseOutcome, RunResult } from "./runner.ts";

export interface CoverageRow {
  example: string;
  status: number;
  code: string;
  observed: number;
}

export function coverage(result: RunResult): CoverageRow[] {
  return operation().examples.map((example) => ({
    example: example.name,
    status: example.status,
    code: (example.value as { code: string }).code,
    observed: result.outcomes.filter((outcome) => outcome.example === example.name).length,
  }));
}

/** Per check: answers that passed it, and that failed it (`leniency` of them leniency). */
export function checkTotals(result: RunResult): { name: CheckName; passed: number; failed: number; leniency: number }[] {
  return checkNames
    .map((name) => {
      const results = [...result.outcomes, ...(result.shrunk ? [result.shrunk] : [])].flatMap((outcome) => outcome.checks.filter((check) => check.name === name));
      const failed = results.filter((check) => !check.ok);
      return { name, passed: results.length - failed.length, failed: failed.length, leniency: failed.filter((check) => check.severity === "leniency").length };
    })
    .filter((row) => row.passed + row.failed > 0);
}

const severityOf = (check: CheckResult): Severity => check.severity ?? "violation";

/** Cases with a failed check of that severity (any, without one). */
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

/** Every failed check, the most useful first: violations before leniency, then by check. */
export function findings(result: RunResult): Finding[] {
  const rank = (finding: Finding) => (finding.severity === "violation" ? 0 : 100) + usefulness.indexOf(finding.check);
  return [...result.outcomes, ...(result.shrunk ? [result.shrunk] : [])]
    .flatMap((outcome) =>
      outcome.checks
        .filter((check) => !check.ok)
        .map((check): Finding => ({ check: check.name, severity: severityOf(check), category: outcome.testCase.category, title: outcome.testCase.title, detail: check.detail, fields: check.fields ?? [], curl: outcome.curl })),
    )
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => rank(a.finding) - rank(b.finding) || a.index - b.index)
    .map(({ finding }) => finding);
}

/** Request fields a target took that the contract refuses, with how often. */
export function lenientFields(result: RunResult): { field: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const finding of findings(result)) {
    if (finding.severity !== "leniency") continue;
    for (const field of finding.fields.length ? finding.fields : [finding.title]) counts.set(field, (counts.get(field) ?? 0) + 1);
  }
  return [...counts].map(([field, count]) => ({ field, count })).sort((a, b) => b.count - a.count || a.field.localeCompare(b.field));
}

/** The one line to read first: a diagnosis, a hint, or the most useful finding. */
export function firstFinding(result: RunResult): string | undefined {
  if (result.diagnosis) return result.diagnosis.message;
  const top = findings(result)[0];
  if (result.hints.length && (top === undefined || top.severity === "violation")) return result.hints[0];
  if (!top) return result.callbacks?.findings[0] ? `${result.callbacks.findings[0].check}: ${result.callbacks.findings[0].message}` : undefined;
  return `${top.check} (${top.severity}) on [${top.category}] ${top.title}: ${top.detail}`;
}

/** Statuses and codes the target answered that the contract does not document, with a sample. */
export function undocumentedAnswers(result: RunResult): { status: number; code: string | null; count: number; sample: string; request: string }[] {
  const rows = new Map<string, { status: number; code: string | null; count: number; sample: string; request: string }>();
  for (const outcome of result.outcomes) {
    const undocumented = outcome.checks.some((check) => !check.ok && (check.name === "status_documented" || check.name === "code_documented"));
    if (!undocumented || outcome.observed.status === undefined) continue;
    const code = (outcome.observed.json as { code?: unknown } | undefined)?.code;
    const row = { status: outcome.observed.status, code: typeof code === "string" ? code : null };
    const key = `${row.status} ${row.code ?? ""}`;
    const seen = rows.get(key);
    if (seen) seen.count++;
    else rows.set(key, { ...row, count: 1, sample: outcome.observed.text.replace(/\s+/g, " ").slice(0, 200), request: outcome.testCase.title });
  }
  return [...rows.values()].sort((a, b) => b.count - a.count || a.status - b.status);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n");
}

function describe(outcome: CaseOutcome, severity?: Severity): string {
  const answer = outcome.observed.status === undefined ? `no answer (${outcome.observed.transportError})` : `${outcome.observed.status} ${(outcome.observed.json as { code?: string } | undefined)?.code ?? ""}`.trim();
  const failed = outcome.checks.filter((check) => !check.ok && (severity === undefined || severityOf(check) === severity)).map((check) => `    ✗ ${check.name}: ${check.detail}`);
  return [`  [${outcome.testCase.category}] ${outcome.testCase.title} → ${answer}`, ...failed, `    ${outcome.curl}`].join("\n");
}

/** The drift summary: per check, the exchanges that failed it; answers and fields the contract lacks. */
export function drift(result: RunResult): string {
  const lines = ["Drift:"];
  const failing = checkTotals(result).filter((row) => row.failed > 0);
  lines.push(failing.length ? failing.map((row) => `  ${row.name}: ${row.failed} of ${row.passed + row.failed} exchanges failed${row.leniency ? ` (${row.leniency} leniency)` : ""}`).join("\n") : "  every check passed on every exchange");
  const answers = undocumentedAnswers(result);
  if (answers.length) {
    lines.push("  Answers the contract does not document:");
    for (const row of answers) lines.push(`    ${row.status} ${row.code ?? "(no code)"} × ${row.count}, e.g. to ${row.request}: ${row.sample}`);
  }
  const fields = lenientFields(result);
  if (fields.length) lines.push(`  Request fields the target accepted that the contract refuses: ${fields.map((row) => `${row.field} (${row.count})`).join(", ")}`);
  return lines.join("\n");
}

export function summary(result: RunResult, maxFailuresShown = 20): string {
  const lines: string[] = [];
  const plan = result.mode === "live" ? "safe plan: nothing a real pod would deliver, unless --allow-send" : result.mode === "mock" ? "full plan: the target proved it is the kit's mock" : "full plan: --trusted-target";
  if (result.recording) {
    const { exchanges, outside, file } = result.recording;
    lines.push(`Recorded traffic with ${result.target}${file ? ` (${file})` : ""} judged against the contract: ${exchanges} exchanges, ${result.outcomes.length} on the contract's path, ${outside} outside it (not checked).`);
  } else lines.push(`Conformance of ${result.target} to the contract (seed ${result.seed}; ${plan}): ${result.outcomes.length} cases, ${result.requestsSent} requests sent in all.`);
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
  lines.push(table([["status", "code", "example", "observed"], ...coverage(result).map((row) => [String(row.status), row.code, row.example, row.observed ? `yes (${row.observed})` : "no"])]));
  lines.push("");
  lines.push("Checks:");
  lines.push(table([["check", "passed", "violations", "leniency"], ...checkTotals(result).map((row) => [row.name, String(row.passed), String(row.failed - row.leniency), String(row.leniency)])]));
  const failed = failures(result, "violation");
  if (failed.length) {
    lines.push("");
    lines.push(`Violations (${failed.length}${failed.length > maxFailuresShown ? `, first ${maxFailuresShown} shown` : ""}):`);
    for (const outcome of failed.slice(0, maxFailuresShown)) lines.push(describe(outcome, "violation"));
  }
  const lenient = failures(result, "leniency");
  if (lenient.length) {
    lines.push("");
    const fields = lenientFields(result).map((row) => `${row.field} (${row.count})`).join(", ");
    lines.push(
      result.lenient
        ? `Leniency (${lenient.length}, reported, not failed: --lenient): the contract may be stricter than the target. Taken though the contract refuses: ${fields}.`
        : `Leniency (${lenient.length}): the target accepts what the contract refuses: ${fields}. If the target is right, the contract is too strict; --lenient reports this without failing.`,
    );
    for (const outcome of lenient.slice(0, maxFailuresShown)) lines.push(describe(outcome, "leniency"));
  }
  if (result.shrunk && result.shrunk.checks.some((check) => !check.ok)) {
    lines.push("");
    lines.push(`Smallest generated request that fails (seed ${result.seed}; rerun with --seed ${result.seed}):`);
    lines.push(describe(result.shrunk));
  }
  if (result.callbacks) {
    const { messages, received, findings } = result.callbacks;
    lines.push("");
    lines.push(`Status callbacks: ${received} received for ${messages} accepted sends; ${findings.length ? `${findings.length} violation(s):` : "every one valid and in order."}`);
    for (const finding of findings.slice(0, maxFailuresShown)) lines.push(`  ✗ ${finding.check} (${finding.messageId ?? "no message id"}): ${finding.message}`);
  }
  lines.push("");
  const counted = findings(result).filter((finding) => finding.severity === "violation" || !result.lenient);
  const departs = counted.length > 0 || (result.callbacks?.findings.length ?? 0) > 0;
  lines.push(
    departs
      ? "FAIL: the target departs from the contract (see above)."
      : result.interrupted
        ? "INCOMPLETE: no departure in what ran, but the run did not finish."
        : lenient.length
          ? "PASS with leniency: every answer is what the contract says, or leniency you allowed (--lenient)."
          : "PASS: every answer is what the contract says.",
  );
  const passed = result.outcomes.filter((outcome) => outcome.checks.every((check) => check.ok)).length;
  lines.push(`${passed} passed, ${result.outcomes.length - passed} failed`);
  return lines.join("\n");
}

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

export function junit(result: RunResult): string {
  const cases = [...result.outcomes, ...(result.shrunk ? [result.shrunk] : [])];
  const callbackFindings = result.callbacks?.findings ?? [];
  const failuresXml = (checks: CheckResult[], curl: string) => checks.map((check) => `      <failure type="${check.name}" message="${xml(`${check.name}: ${check.detail}`)}">${xml(curl)}</failure>`).join("\n");
  const testcase = (classname: string, name: string, seconds: string, inner: string) =>
    inner ? `    <testcase classname="${classname}" name="${xml(name)}" time="${seconds}">\n${inner}\n    </testcase>` : `    <testcase classname="${classname}" name="${xml(name)}" time="${seconds}"/>`;
  const seconds = (outcome: CaseOutcome) => (outcome.observed.milliseconds / 1000).toFixed(3);

  // Violations: every case, failed by its violations only.
  const contract = cases.map((outcome, index) => {
    const failed = outcome.checks.filter((check) => !check.ok && severityOf(check) === "violation");
    return testcase(`conformance.${outcome.testCase.category}`, `${outcome.testCase.title} #${index + 1}`, seconds(outcome), failuresXml(failed, outcome.curl));
  });
  if (result.diagnosis) contract.push(testcase("conformance.diagnosis", "the target can be judged", "0", `      <failure type="${result.diagnosis.kind}" message="${xml(result.diagnosis.message)}"/>`));
  if (result.callbacks) {
    const inner = callbackFindings.map((finding) => `      <failure type="${finding.check}" message="${xml(`${finding.check}: ${finding.message}`)}">${xml(finding.messageId ?? "")}</failure>`).join("\n");
    contract.push(testcase("conformance.callbacks", "status callbacks of the accepted sends", "0", inner));
  }
  // Leniency: its own suite; skipped, not failed, under --lenient.
  const lenientCases = cases.flatMap((outcome, index) => {
    const taken = outcome.checks.filter((check) => !check.ok && check.severity === "leniency");
    if (!taken.length) return [];
    const inner = result.lenient ? `      <skipped message="${xml(`leniency reported (--lenient): ${taken.map((check) => check.detail).join("; ")}`)}"/>` : failuresXml(taken, outcome.curl);
    return [testcase(`conformance.leniency.${outcome.testCase.category}`, `${outcome.testCase.title} #${index + 1}`, seconds(outcome), inner)];
  });
  const failedIn = (items: string[]) => items.filter((item) => item.includes("<failure")).length;
  const properties = `    <properties><property name="seed" value="${result.seed}"/><property name="mode" value="${result.mode}"/><property name="requestsSent" value="${result.requestsSent}"/><property name="lenient" value="${result.lenient}"/>${result.interrupted ? `<property name="interrupted" value="${xml(result.interrupted)}"/>` : ""}</properties>`;
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
      undocumentedAnswers: undocumentedAnswers(result),
      cases: result.outcomes.map((outcome) => ({
        category: outcome.testCase.category,
        title: outcome.testCase.title,
        expect: outcome.testCase.expect,
        status: outcome.observed.status ?? null,
        code: (outcome.observed.json as { code?: string } | undefined)?.code ?? null,
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
