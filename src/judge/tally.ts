// What judged answers add up to, in memory that does not grow with their number: the proxy and
// `conform --replay` feed each exchange to one tally as it is judged, and a planned run's outcomes
// are tallied the same way for its report. Every count is exact (per check, per documented
// example, per undocumented answer, per lenient field); what is kept is bounded: a sample of each
// undocumented answer, the names of the first kinds, and the first outcomes whole (violations
// before leniency before passes), for the report to show.
import { checkNames, usefulness, type CheckName, type CheckResult, type Severity } from "./checks.ts";
import type { CaseOutcome, RunResult } from "./result.ts";
import { envelopeCode } from "../contract/request.ts";

/**
 * Outcomes kept for a report; the others are counted. A kept outcome holds what a report shows of
 * it (see `forReport`): its curl line, which carries the request's body (up to the proxy's
 * --max-body-bytes), is what this bounds.
 */
export const maxKeptOutcomes = 100;

/**
 * An outcome as a report shows it: its case, checks, example, curl line, and of the answer the
 * status, the envelope's code, the time and why none came. The answer's text and headers, the
 * parsed body past its code and the request's own body (the curl line holds it) are judged
 * already and dropped, so what is kept does not hold each exchange twice or three times over.
 */
export function forReport(outcome: CaseOutcome): CaseOutcome {
  const code = envelopeCode(outcome.observed.json);
  return {
    ...outcome,
    testCase: { ...outcome.testCase, request: { ...outcome.testCase.request, body: "" } },
    observed: { ...outcome.observed, headers: {}, text: "", json: code === undefined ? undefined : { code } },
  };
}
/** Undocumented answers (by status and code) and lenient fields counted by name; further kinds are counted together. */
export const maxNamedKinds = 100;
/** The longest sample, code, field or request title kept; a longer one is cut and ends with "…". */
export const maxSampleLength = 200;

export interface CheckTotal {
  name: CheckName;
  passed: number;
  failed: number;
  /** Of the failed, how many were leniency. */
  leniency: number;
}

export interface UndocumentedAnswer {
  status: number;
  code: string | null;
  count: number;
  /** The first such answer's body, whitespace collapsed, cut at maxSampleLength. */
  sample: string;
  /** The request it answered (its case's title). */
  request: string;
}

/** The parts of a finding that name it in one line. */
export interface FindingHead {
  check: CheckName;
  severity: Severity;
  category: string;
  title: string;
  detail: string;
}

/** Outcomes counted but not kept, by their standing. */
export interface NotKept {
  violation: number;
  leniency: number;
  passed: number;
}

const severityOf = (check: CheckResult): Severity => check.severity ?? "violation";

/** How useful a finding is to read first: violations before leniency, then by check. Lower first. */
export const findingRank = (severity: Severity, check: CheckName): number => (severity === "violation" ? 0 : 100) + usefulness.indexOf(check);

const cut = (text: string): string => (text.length > maxSampleLength ? `${text.slice(0, maxSampleLength - 1)}…` : text);

/** What an outcome is, for keeping: 2 a violation, 1 leniency only, 0 every check passed. */
type Standing = 0 | 1 | 2;

export class OutcomeTally {
  #exchanges = 0;
  #outside = 0;
  #cases = 0;
  #passed = 0;
  /** Outcomes with a failed check of each severity. */
  #withViolation = 0;
  #withLeniency = 0;
  #checks = new Map<CheckName, { passed: number; failed: number; leniency: number }>();
  #examples = new Map<string, number>();
  #fields = new Map<string, number>();
  #otherFields = 0;
  #answers = new Map<string, UndocumentedAnswer>();
  #otherAnswers = 0;
  #kept: { outcome: CaseOutcome; standing: Standing }[] = [];
  #keptOf: [number, number, number] = [0, 0, 0];
  #notKeptOf: [number, number, number] = [0, 0, 0];
  #first: { head: FindingHead; rank: number } | undefined;

  /** A tally of outcomes already in memory (a planned run's). */
  static of(outcomes: Iterable<CaseOutcome>): OutcomeTally {
    const tally = new OutcomeTally();
    for (const outcome of outcomes) tally.add(outcome);
    return tally;
  }

  /** One recorded exchange: its judged outcome, or undefined when it fell outside the contract. */
  record(outcome: CaseOutcome | undefined): void {
    this.#exchanges++;
    if (outcome === undefined) this.#outside++;
    else this.add(outcome);
  }

  /** One judged outcome. */
  add(outcome: CaseOutcome): void {
    this.#cases++;
    let violation = false;
    let leniency = false;
    for (const check of outcome.checks) {
      const row = this.#checks.get(check.name) ?? { passed: 0, failed: 0, leniency: 0 };
      this.#checks.set(check.name, row);
      if (check.ok) {
        row.passed++;
        continue;
      }
      row.failed++;
      const severity = severityOf(check);
      if (severity === "leniency") {
        row.leniency++;
        leniency = true;
        for (const field of check.fields?.length ? check.fields : [outcome.testCase.title]) this.#countField(cut(field));
      } else violation = true;
      const rank = findingRank(severity, check.name);
      if (this.#first === undefined || rank < this.#first.rank) {
        this.#first = {
          rank,
          head: { check: check.name, severity, category: outcome.testCase.category, title: cut(outcome.testCase.title), detail: cut(check.detail) },
        };
      }
    }
    if (violation) this.#withViolation++;
    if (leniency) this.#withLeniency++;
    if (!violation && !leniency) this.#passed++;
    if (outcome.example !== undefined) this.#examples.set(outcome.example, (this.#examples.get(outcome.example) ?? 0) + 1);
    this.#countAnswer(outcome);
    this.#keep(outcome, violation ? 2 : leniency ? 1 : 0);
  }

  #countField(field: string): void {
    const count = this.#fields.get(field);
    if (count !== undefined) this.#fields.set(field, count + 1);
    else if (this.#fields.size < maxNamedKinds) this.#fields.set(field, 1);
    else this.#otherFields++;
  }

  #countAnswer(outcome: CaseOutcome): void {
    const undocumented = outcome.checks.some((check) => !check.ok && (check.name === "status_documented" || check.name === "code_documented"));
    if (!undocumented || outcome.observed.status === undefined) return;
    const raw = envelopeCode(outcome.observed.json);
    const code = raw === undefined ? null : cut(raw);
    const key = `${outcome.observed.status} ${code ?? ""}`;
    const seen = this.#answers.get(key);
    if (seen) seen.count++;
    else if (this.#answers.size < maxNamedKinds) {
      this.#answers.set(key, {
        status: outcome.observed.status,
        code,
        count: 1,
        sample: outcome.observed.text.replace(/\s+/g, " ").slice(0, maxSampleLength),
        request: cut(outcome.testCase.title),
      });
    } else this.#otherAnswers++;
  }

  /** Kept whole while there is room; when full, a newcomer takes the place of the latest kept outcome that matters less. */
  #keep(whole: CaseOutcome, standing: Standing): void {
    const outcome = forReport(whole);
    if (this.#kept.length < maxKeptOutcomes) {
      this.#kept.push({ outcome, standing });
      this.#keptOf[standing]++;
      return;
    }
    for (let lower = 0; lower < standing; lower++) {
      if (this.#keptOf[lower] === 0) continue;
      let at = this.#kept.length - 1;
      while (this.#kept[at]!.standing !== lower) at--;
      this.#kept.splice(at, 1);
      this.#keptOf[lower]--;
      this.#notKeptOf[lower]++;
      this.#kept.push({ outcome, standing });
      this.#keptOf[standing]++;
      return;
    }
    this.#notKeptOf[standing]++;
  }

  /** Exchanges recorded, judged or not. */
  get exchanges(): number {
    return this.#exchanges;
  }

  /** Recorded exchanges outside the contract (not judged). */
  get outside(): number {
    return this.#outside;
  }

  /** Outcomes judged. */
  get cases(): number {
    return this.#cases;
  }

  /** Outcomes whose every check passed. */
  get passed(): number {
    return this.#passed;
  }

  /** Outcomes with a failed check of this severity (one with both counts in each). */
  casesWith(severity: Severity): number {
    return severity === "violation" ? this.#withViolation : this.#withLeniency;
  }

  /** No violation, and no leniency unless it is allowed (--lenient). */
  passes(lenient: boolean): boolean {
    return this.#withViolation === 0 && (lenient || this.#withLeniency === 0);
  }

  /** Per check that ran, in the checks' order. */
  checkTotals(): CheckTotal[] {
    return checkNames.flatMap((name) => {
      const row = this.#checks.get(name);
      return row ? [{ name, ...row }] : [];
    });
  }

  /** How many answers were the contract's named example. */
  observed(example: string): number {
    return this.#examples.get(example) ?? 0;
  }

  /** Request fields (or, with none named, requests) the target took though the contract refuses them, most often first. */
  lenientFields(): { field: string; count: number }[] {
    return [...this.#fields].map(([field, count]) => ({ field, count })).sort((a, b) => b.count - a.count || a.field.localeCompare(b.field));
  }

  /** Leniency counted in fields past the first maxNamedKinds. */
  get otherLenientFields(): number {
    return this.#otherFields;
  }

  /** Statuses and codes the contract does not document, most often first, each with its first sample. */
  undocumentedAnswers(): UndocumentedAnswer[] {
    return [...this.#answers.values()].map((row) => ({ ...row })).sort((a, b) => b.count - a.count || a.status - b.status);
  }

  /** Undocumented answers of kinds past the first maxNamedKinds. */
  get otherUndocumentedAnswers(): number {
    return this.#otherAnswers;
  }

  /** The outcomes kept (see `forReport`), in the order they came. */
  kept(): CaseOutcome[] {
    return this.#kept.map((entry) => entry.outcome);
  }

  notKept(): NotKept {
    const [passed, leniency, violation] = this.#notKeptOf;
    return { violation, leniency, passed };
  }

  /** The most useful finding of all (the first of equals). */
  first(): FindingHead | undefined {
    return this.#first && { ...this.#first.head };
  }

  /** A copy that later outcomes do not change. */
  copy(): OutcomeTally {
    const copy = new OutcomeTally();
    copy.#exchanges = this.#exchanges;
    copy.#outside = this.#outside;
    copy.#cases = this.#cases;
    copy.#passed = this.#passed;
    copy.#withViolation = this.#withViolation;
    copy.#withLeniency = this.#withLeniency;
    copy.#checks = new Map([...this.#checks].map(([name, row]) => [name, { ...row }]));
    copy.#examples = new Map(this.#examples);
    copy.#fields = new Map(this.#fields);
    copy.#otherFields = this.#otherFields;
    copy.#answers = new Map([...this.#answers].map(([key, row]) => [key, { ...row }]));
    copy.#otherAnswers = this.#otherAnswers;
    copy.#kept = [...this.#kept];
    copy.#keptOf = [...this.#keptOf];
    copy.#notKeptOf = [...this.#notKeptOf];
    copy.#first = this.#first;
    return copy;
  }
}

/** A run's result whose counts are a tally's (recorded traffic): `outcomes` holds only the ones kept. */
export type TalliedResult = RunResult & { tally: OutcomeTally };

/** The tally a result's counts come from, when they come from one. */
export function tallyOf(result: RunResult): OutcomeTally | undefined {
  const tally: unknown = (result as Partial<TalliedResult>).tally;
  return tally instanceof OutcomeTally ? tally : undefined;
}
