// A conformance run's state, in one place: what each phase reads and changes (the stop, the
// diagnosis, the outcomes, the counts), and the one way a case is sent and judged. The phases
// (`phases.ts`) and the runner's sequence (`runner.ts`) go through it, so the rules of sending
// (the budget, the pace, the stop, the diagnosis) hold for every phase alike.
import { exampleMatching, operation } from "../src/contract/operation.ts";
import { judgeRequest } from "../src/contract/request.ts";
import { defaultMaxResponseBytes } from "../src/http/edge.ts";
import { createMasker, withoutCredentials } from "../src/http/secrets.ts";
import { checkAnswer, checkNames, type CheckName, type CheckResult } from "../src/judge/checks.ts";
import type { Case } from "../src/judge/model.ts";
import type { CallbackReport, CaseOutcome, Diagnosis, RunResult, TargetMode } from "../src/judge/result.ts";
import { curlFor, headersFor, pathFor } from "../src/judge/wire.ts";
import type { CallbackStage } from "./callbacks.ts";
import { diagnoseAnswers, unreachable } from "./diagnose.ts";
import { couldDeliver } from "./plan.ts";
import { sendCase, type SendLimits } from "./send.ts";

export interface RunOptions {
  /** Base URL of the target, e.g. http://127.0.0.1:4010 or https://api.in.kaleyra.io. */
  target: string;
  sid: string;
  phoneNumber: string;
  apiKey: string;
  /** The mock's admin token (KALEYRA_MOCK_ADMIN_TOKEN), for the identity probe of a mock that asks for one. */
  adminToken?: string;
  /** False: do not check the kit's mock's status callbacks. */
  checkCallbacks?: boolean;
  /** How long to wait for the last callbacks after the last send; 5 s by default. */
  callbackWaitMs?: number;
  /** Recipient of requests that may be accepted; required to send them to a remote target. */
  to?: string;
  /** Send requests that could be accepted to a remote target (at most maxSends of them). */
  allowSend?: boolean;
  maxSends?: number;
  /** False for a mock started without an account: only then is the wrong-key probe skipped. */
  checksKeys?: boolean;
  /** Ask a mock that honours Prism's Prefer header for every named example. */
  preferExamples?: boolean;
  seed?: number;
  /** How many generated valid requests to send. */
  runs?: number;
  /**
   * The user vouches that the target delivers nothing (a team's own stub, a stand-in in tests):
   * the full plan without asking the target who it is. Without it, only a target that proves it
   * is the kit's mock gets the full plan; its address proves nothing.
   */
  trustedTarget?: boolean;
  /** Send the safe plan even to the kit's mock (tests of the safety rules). */
  treatAsRemote?: boolean;
  /** One deadline for each whole exchange (connect, head, body); 10 s by default. */
  timeoutMs?: number;
  /** The largest answer read, in bytes after decompression; 1 MiB by default. */
  maxResponseBytes?: number;
  /** Stop sending after this long and report what ran. */
  runTimeoutMs?: number;
  /** The checks to apply (--checks, --exclude-checks); all by default. */
  checks?: readonly CheckName[];
  /** Adds the response_time check: an answer slower than this fails it. */
  maxResponseTimeMs?: number;
  /** At most this many requests a second, every request of the run counted. */
  rateLimit?: number;
  /** Leniency (the target accepts what the contract refuses) is reported, and does not fail the run. */
  lenient?: boolean;
  /** Stops the run (SIGINT); what ran so far is reported. */
  signal?: AbortSignal;
  /** Called after each answer with the run so far, so that it can be reported if the run is cut. */
  onProgress?: (partial: RunResult) => void;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What the target's mode allows the run to send. */
export interface SendPolicy {
  /** Whether requests that could be accepted are sent at all. */
  allowSend: boolean;
  /** At most this many of them. */
  maxSends: number;
  /** Their recipient. */
  to: string;
}

export class RunContext {
  readonly options: RunOptions;
  readonly log: (line: string) => void;
  /** The target as reports show it: without the credentials its URL may carry. */
  readonly shownTarget: string;
  readonly seed: number;
  readonly limits: SendLimits;
  /** Waits for the next request's turn under --rate-limit. */
  readonly pace: () => Promise<void>;
  /** Set by the identity phase. */
  mode: TargetMode = "live";
  /** Set once the mode is known; until then nothing that could deliver is sent. */
  policy: SendPolicy = { allowSend: false, maxSends: 0, to: "" };
  /** Started against the kit's mock only; finished by the callbacks phase or by `close`. */
  callbackStage: CallbackStage | undefined;
  /** The generated phase's smallest failing request, when one failed. */
  shrunk: CaseOutcome | undefined;
  callbacks: CallbackReport | undefined;
  /** Why the run stopped early (a signal, the run's time limit), when it did. */
  interrupted: string | undefined;
  /** Why the target cannot be judged, when the answers say so; it stops the run. */
  diagnosis: Diagnosis | undefined;
  /** Whether anything has answered yet: until then a missing answer is a diagnosis, not a finding. */
  answeredOnce = false;
  requestsSent = 0;
  acceptableSent = 0;
  private readonly stop = new AbortController();
  private readonly onSignal = () => this.halt("stopped by the user");
  private readonly runTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly selected: ReadonlySet<CheckName>;
  private readonly lenient: boolean;
  private readonly hints: string[] = [];
  private readonly outcomes: CaseOutcome[] = [];
  /** Every answer judged, shrinking steps included: what the diagnosis reads. */
  private readonly seen: CaseOutcome[] = [];
  private callbacksFinished = false;

  constructor(options: RunOptions) {
    this.options = options;
    this.log = options.log ?? (() => {});
    this.shownTarget = withoutCredentials(options.target);
    this.seed = options.seed ?? Date.now() % 2 ** 31;
    if (options.signal?.aborted) this.onSignal();
    options.signal?.addEventListener("abort", this.onSignal, { once: true });
    this.runTimer =
      options.runTimeoutMs === undefined
        ? undefined
        : setTimeout(() => this.halt(`the run's time limit of ${options.runTimeoutMs} ms passed`), options.runTimeoutMs);
    this.limits = {
      timeoutMs: options.timeoutMs ?? 10_000,
      maxResponseBytes: options.maxResponseBytes ?? defaultMaxResponseBytes,
      mask: createMasker([options.apiKey, options.adminToken]),
      signal: this.stop.signal,
    };
    this.pace = pacer(options.rateLimit, this.stop.signal);
    this.selected = new Set(options.checks ?? checkNames);
    this.lenient = options.lenient === true;
  }

  /** Stops the run: the first reason is the one reported, and an exchange under way is cut. */
  halt(why: string): void {
    if (this.interrupted !== undefined) return;
    this.interrupted = why;
    this.stop.abort();
  }

  /** Whether a signal or the run's time limit stopped the run. */
  stopped(): boolean {
    return this.interrupted !== undefined;
  }

  /** The target answered nothing at all: one line saying so, not a violation per request. */
  unreachable(why: string): void {
    this.diagnosis = unreachable(this.shownTarget, why);
  }

  /** The run's outcomes so far (planned and generated, not the shrinking steps). */
  recorded(): readonly CaseOutcome[] {
    return this.outcomes;
  }

  /**
   * Sends one case if the run may, and judges its answer; undefined when it was not sent, was cut
   * by the stop, or its answer (with those before it) diagnoses the target.
   */
  async send(testCase: Case): Promise<CaseOutcome | undefined> {
    if (this.interrupted !== undefined || this.diagnosis !== undefined) return undefined;
    // Decided from the request itself, not from how the plan labelled it.
    const delivers = testCase.mayBeAccepted || couldDeliver(testCase.request);
    if (delivers) {
      if (!this.policy.allowSend || this.acceptableSent >= this.policy.maxSends) return undefined;
      this.acceptableSent++;
    }
    await this.pace();
    if (this.interrupted !== undefined) return undefined;
    this.requestsSent++;
    const { options } = this;
    const observed = await sendCase(options.target, testCase.request, options.apiKey, this.limits);
    if (this.interrupted !== undefined && observed.status === undefined) return undefined; // cut by the stop, not the target's fault
    if (observed.status === undefined && !this.answeredOnce) {
      this.unreachable(observed.transportError ?? "no answer");
      return undefined;
    }
    this.answeredOnce ||= observed.status !== undefined;
    const example = observed.status === undefined ? undefined : exampleMatching(observed.status, observed.json)?.name;
    const requestIssues = testCase.expect === "rejected" || testCase.expect === "refused" ? issuesOf(testCase) : undefined;
    const checks = checkAnswer(
      {
        expect: testCase.expect,
        observed,
        ...(requestIssues ? { requestIssues } : {}),
        ...(options.maxResponseTimeMs === undefined ? {} : { maxResponseTimeMs: options.maxResponseTimeMs }),
      },
      this.selected,
    );
    const outcome: CaseOutcome = { testCase, observed, checks, example, curl: curlFor(this.shownTarget, testCase.request) };
    this.seen.push(outcome);
    const verdict = diagnoseAnswers(this.seen, {
      target: this.shownTarget,
      mode: this.mode,
      sid: options.sid,
      phoneNumber: options.phoneNumber,
      checksKeys: options.checksKeys ?? true,
    });
    if (verdict.diagnosis) this.diagnosis = verdict.diagnosis;
    for (const hint of verdict.hints) if (!this.hints.includes(hint)) this.hints.push(hint);
    return this.diagnosis ? undefined : outcome;
  }

  /** Keeps an outcome in the run's result, and reports the run so far. */
  record(outcome: CaseOutcome): void {
    this.outcomes.push(outcome);
    this.options.onProgress?.(this.result());
  }

  /** Waits for the status callbacks of these messages and checks them; `close` then has nothing left to finish. */
  finishCallbacks(stage: CallbackStage, messageIds: readonly string[], limitMs: number): Promise<CallbackReport> {
    this.callbacksFinished = true;
    return stage.finish(messageIds, limitMs);
  }

  /** The run so far, as reported. */
  result(): RunResult {
    // A check fails the run unless it is leniency and the user said leniency is known.
    const fails = (check: CheckResult) => !check.ok && !(this.lenient && check.severity === "leniency");
    const ok =
      this.interrupted === undefined &&
      this.diagnosis === undefined &&
      this.outcomes.every((outcome) => !outcome.checks.some(fails)) &&
      !this.shrunk?.checks.some(fails) &&
      (this.callbacks?.findings.length ?? 0) === 0;
    return {
      target: this.shownTarget,
      mode: this.mode,
      remote: this.mode === "live",
      seed: this.seed,
      outcomes: [...this.outcomes],
      shrunk: this.shrunk,
      acceptableSent: this.acceptableSent,
      requestsSent: this.requestsSent + (this.callbackStage?.adminRequests() ?? 0),
      interrupted: this.interrupted,
      diagnosis: this.diagnosis,
      hints: [...this.hints],
      lenient: this.lenient,
      ok,
      callbacks: this.callbacks,
    };
  }

  /** However the run ends: the mock pointed back and its receiver closed, the timer and the signal let go. */
  async close(): Promise<void> {
    if (this.callbackStage && !this.callbacksFinished) await this.callbackStage.finish([], 0);
    if (this.runTimer) clearTimeout(this.runTimer);
    this.options.signal?.removeEventListener("abort", this.onSignal);
  }
}

/** What the case's request breaks of the contract, as a recording would be judged. */
function issuesOf(testCase: Case) {
  const judged = judgeRequest({
    method: testCase.request.method ?? operation().method.toUpperCase(),
    path: pathFor(testCase.request),
    headers: headersFor(testCase.request, "key"),
    body: testCase.request.body,
  });
  return judged.kind === "operation" ? judged.issues : [];
}

/** Waits so that requests leave at most `perSecond` a second; no wait without a limit. */
export function pacer(perSecond: number | undefined, signal: AbortSignal): () => Promise<void> {
  if (perSecond === undefined) return async () => {};
  const gap = 1000 / perSecond;
  let next = 0;
  return () => {
    const now = performance.now();
    const at = Math.max(now, next);
    next = at + gap;
    if (at <= now || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      // Node's timers count whole milliseconds and may fire a little before `at` by
      // performance.now(): the wait is armed again for what is left, so no gap is ever short.
      let timer = setTimeout(tick, at - now);
      function tick() {
        const left = at - performance.now();
        if (left > 0) timer = setTimeout(tick, left);
        else done();
      }
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  };
}
