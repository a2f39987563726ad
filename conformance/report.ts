// What a run found, for people (a summary) and for CI systems (JUnit XML, JSON). The key never
// appears: requests are shown as curl lines that read it from $KALEYRA_API_KEY.
import { operation } from "../src/contract/operation.ts";
import { checkNames, type CheckName } from "./checks.ts";
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

export function checkTotals(result: RunResult): { name: CheckName; passed: number; failed: number }[] {
  return checkNames
    .map((name) => {
      const results = [...result.outcomes, ...(result.shrunk ? [result.shrunk] : [])].flatMap((outcome) => outcome.checks.filter((check) => check.name === name));
      return { name, passed: results.filter((check) => check.ok).length, failed: results.filter((check) => !check.ok).length };
    })
    .filter((row) => row.passed + row.failed > 0);
}

export function failures(result: RunResult): CaseOutcome[] {
  return result.outcomes.filter((outcome) => outcome.checks.some((check) => !check.ok));
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n");
}

function describe(outcome: CaseOutcome): string {
  const answer = outcome.observed.status === undefined ? `no answer (${outcome.observed.transportError})` : `${outcome.observed.status} ${(outcome.observed.json as { code?: string } | undefined)?.code ?? ""}`.trim();
  const failed = outcome.checks.filter((check) => !check.ok).map((check) => `    ✗ ${check.name}: ${check.detail}`);
  return [`  [${outcome.testCase.category}] ${outcome.testCase.title} → ${answer}`, ...failed, `    ${outcome.curl}`].join("\n");
}

export function summary(result: RunResult, maxFailuresShown = 20): string {
  const lines: string[] = [];
  const plan = result.mode === "live" ? "safe plan: nothing a real pod would deliver, unless --allow-send" : result.mode === "mock" ? "full plan: the target proved it is the kit's mock" : "full plan: --trusted-target";
  lines.push(`Conformance of ${result.target} to the contract (seed ${result.seed}; ${plan}): ${result.outcomes.length} cases, ${result.requestsSent} requests sent in all.`);
  if (result.interrupted) lines.push(`PARTIAL: the run stopped early (${result.interrupted}); this reports what ran.`);
  lines.push("");
  lines.push("Documented responses observed:");
  lines.push(table([["status", "code", "example", "observed"], ...coverage(result).map((row) => [String(row.status), row.code, row.example, row.observed ? `yes (${row.observed})` : "no"])]));
  lines.push("");
  lines.push("Checks:");
  lines.push(table([["check", "passed", "failed"], ...checkTotals(result).map((row) => [row.name, String(row.passed), String(row.failed)])]));
  const failed = failures(result);
  if (failed.length) {
    lines.push("");
    lines.push(`Violations (${failed.length}${failed.length > maxFailuresShown ? `, first ${maxFailuresShown} shown` : ""}):`);
    for (const outcome of failed.slice(0, maxFailuresShown)) lines.push(describe(outcome));
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
  const departs = failures(result).length > 0 || (result.shrunk?.checks.some((check) => !check.ok) ?? false) || (result.callbacks?.findings.length ?? 0) > 0;
  lines.push(departs ? "FAIL: the target departs from the contract (see above)." : result.interrupted ? "INCOMPLETE: no departure in what ran, but the run did not finish." : "PASS: every answer is what the contract says.");
  const passed = result.outcomes.filter((outcome) => outcome.checks.every((check) => check.ok)).length;
  lines.push(`${passed} passed, ${result.outcomes.length - passed} failed`);
  return lines.join("\n");
}

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

export function junit(result: RunResult): string {
  const cases = [...result.outcomes, ...(result.shrunk ? [result.shrunk] : [])];
  const callbackFindings = result.callbacks?.findings ?? [];
  const failedCount = cases.filter((outcome) => outcome.checks.some((check) => !check.ok)).length + (callbackFindings.length ? 1 : 0);
  const body = cases.map((outcome, index) => {
    const name = xml(`${outcome.testCase.title} #${index + 1}`);
    const failed = outcome.checks.filter((check) => !check.ok);
    const seconds = (outcome.observed.milliseconds / 1000).toFixed(3);
    if (!failed.length) return `    <testcase classname="conformance.${outcome.testCase.category}" name="${name}" time="${seconds}"/>`;
    const failuresXml = failed.map((check) => `      <failure type="${check.name}" message="${xml(`${check.name}: ${check.detail}`)}">${xml(outcome.curl)}</failure>`).join("\n");
    return `    <testcase classname="conformance.${outcome.testCase.category}" name="${name}" time="${seconds}">\n${failuresXml}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kaleyra-video conformance" tests="${cases.length + (result.callbacks ? 1 : 0)}" failures="${failedCount}">`,
    `  <testsuite name="${xml(result.target)}" tests="${cases.length + (result.callbacks ? 1 : 0)}" failures="${failedCount}">`,
    `    <properties><property name="seed" value="${result.seed}"/><property name="mode" value="${result.mode}"/><property name="requestsSent" value="${result.requestsSent}"/>${result.interrupted ? `<property name="interrupted" value="${xml(result.interrupted)}"/>` : ""}</properties>`,
    ...body,
    ...(result.callbacks
      ? [
          callbackFindings.length
            ? `    <testcase classname="conformance.callbacks" name="status callbacks of the accepted sends" time="0">\n${callbackFindings.map((finding) => `      <failure type="${finding.check}" message="${xml(`${finding.check}: ${finding.message}`)}">${xml(finding.messageId ?? "")}</failure>`).join("\n")}\n    </testcase>`
            : `    <testcase classname="conformance.callbacks" name="status callbacks of the accepted sends" time="0"/>`,
        ]
      : []),
    "  </testsuite>",
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
      seed: result.seed,
      ok: result.ok,
      coverage: coverage(result),
      checks: checkTotals(result),
      cases: result.outcomes.map((outcome) => ({
        category: outcome.testCase.category,
        title: outcome.testCase.title,
        expect: outcome.testCase.expect,
        status: outcome.observed.status ?? null,
        code: (outcome.observed.json as { code?: string } | undefined)?.code ?? null,
        example: outcome.example ?? null,
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
