// A conformance run: the planned cases, then generated valid requests (property-based, seeded,
// shrunk on failure), every answer checked against the contract.
import fc from "fast-check";
import { loadDocument } from "../src/contract/document.ts";
import { exampleMatching, operation, recipientOf } from "../src/contract/operation.ts";
import { contractSchemas } from "../src/contract/schemas.ts";
import { randomBytes } from "node:crypto";
import { defaultMaxResponseBytes } from "../src/http/edge.ts";
import { exchange, urlAt } from "../src/http/exchange.ts";
import { createMasker, withoutCredentials } from "../src/http/secrets.ts";
import { identityPath, isIdentity } from "../src/contract/identity.ts";
import { startCallbackStage } from "./callbacks.ts";
import { checkAnswer, checkNames, type CheckName, type CheckResult } from "../src/judge/checks.ts";
import { diagnoseAnswers, unreachable } from "./diagnose.ts";
import { judgeRequest } from "../src/contract/request.ts";
import { arbitraryFor } from "./derive.ts";
import { resolver, type Json } from "../src/judge/schema.ts";
import { addressed, buildPlan, couldDeliver, requestExamples } from "./plan.ts";
import type { Case } from "../src/judge/model.ts";
import type { CallbackReport, CaseOutcome, Diagnosis, RunResult, TargetMode } from "../src/judge/result.ts";
import { sendCase, type SendLimits } from "./send.ts";
import { curlFor, pathFor, headersFor } from "../src/judge/wire.ts";
import { parseJson } from "../src/json/read.ts";

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

/** Why a run refuses to start: the options ask for what the target's mode does not allow. */
export type RefusalKind = "needs-recipient";

/** A run refused before anything that could deliver was sent; the command reports it as a usage error. */
export class RunRefusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
  ) {
    super(message);
    this.name = "RunRefusal";
  }
}

/** Asks the target whether it is the kit's mock. No key is sent: the target may be a real pod. */
export async function identifyTarget(target: string, limits: SendLimits, adminToken?: string): Promise<boolean> {
  return (await probeTarget(target, limits, adminToken)).mock;
}

/** The identity probe; `noAnswer` says why nothing came back, when nothing did. */
async function probeTarget(target: string, limits: SendLimits, adminToken?: string): Promise<{ mock: boolean; noAnswer?: string }> {
  const nonce = randomBytes(16).toString("hex");
  // A mock whose admin API needs a token answers the probe only with it (and the token only).
  const headers: Record<string, string> = { accept: "application/json", ...(adminToken === undefined ? {} : { authorization: `Bearer ${adminToken}` }) };
  const result = await exchange({ url: urlAt(target, `${identityPath}?nonce=${nonce}`), method: "GET", headers }, { ...limits, maxResponseBytes: 16 * 1024 });
  if (!result.ok)
    return result.error.reason === "network" || result.error.reason === "timeout"
      ? { mock: false, noAnswer: `${result.error.reason}: ${result.error.message}` }
      : { mock: false };
  if (result.answer.status !== 200) return { mock: false };
  const parsed = parseJson(result.answer.text);
  return { mock: parsed.ok && isIdentity(parsed.value, nonce) };
}

export async function runConformance(options: RunOptions): Promise<RunResult> {
  const log = options.log ?? (() => {});
  const shownTarget = withoutCredentials(options.target);
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const stop = new AbortController();
  let interrupted: string | undefined;
  const halt = (why: string) => {
    if (interrupted !== undefined) return;
    interrupted = why;
    stop.abort();
  };
  const onSignal = () => halt("stopped by the user");
  if (options.signal?.aborted) onSignal();
  options.signal?.addEventListener("abort", onSignal, { once: true });
  const runTimer =
    options.runTimeoutMs === undefined ? undefined : setTimeout(() => halt(`the run's time limit of ${options.runTimeoutMs} ms passed`), options.runTimeoutMs);
  const limits: SendLimits = {
    timeoutMs: options.timeoutMs ?? 10_000,
    maxResponseBytes: options.maxResponseBytes ?? defaultMaxResponseBytes,
    mask: createMasker([options.apiKey, options.adminToken]),
    signal: stop.signal,
  };
  let requestsSent = 0;
  let callbackStage: Awaited<ReturnType<typeof startCallbackStage>> | undefined;
  let callbacksFinished = false;
  const pace = pacer(options.rateLimit, stop.signal);
  const selected = new Set(options.checks ?? checkNames);
  let diagnosis: Diagnosis | undefined;
  const hints: string[] = [];
  const lenient = options.lenient === true;

  try {
    // The full plan holds requests a real pod would deliver: only for a target that proves it
    // is the kit's mock, or that the user vouches for.
    let mode: TargetMode = "live";
    let answeredOnce = false;
    if (options.trustedTarget) mode = "trusted";
    else if (!options.treatAsRemote) {
      await pace();
      requestsSent++;
      const probe = await probeTarget(options.target, limits, options.adminToken);
      if (probe.mock) mode = "mock";
      if (probe.noAnswer !== undefined && interrupted === undefined) diagnosis = unreachable(shownTarget, probe.noAnswer);
      else answeredOnce = true;
    }
    const remote = mode === "live";
    if (diagnosis === undefined)
      log(
        mode === "mock"
          ? `${shownTarget} identified itself as the kit's mock: the full plan.`
          : mode === "trusted"
            ? `${shownTarget} is trusted (--trusted-target): the full plan.`
            : `${shownTarget} is not the kit's mock: the safe plan${options.allowSend ? `, plus at most ${options.maxSends ?? 1} request(s) that may be accepted, to ${options.to}` : ""}.`,
      );
    // A live target is real money and real customers: acceptable requests only when asked,
    // only to the given recipient, and only so many.
    const allowSend = remote ? options.allowSend === true : true;
    if (remote && allowSend && !options.to) throw new RunRefusal("needs-recipient", "sending to a target that is not the kit's mock needs the recipient --to");
    const maxSends = remote ? (options.maxSends ?? 1) : Number.POSITIVE_INFINITY;
    const examples = requestExamples();
    const to = options.to ?? (examples["by-media-id"] as { messaging_object: { to: string } }).messaging_object.to;

    const plan = buildPlan({
      sid: options.sid,
      phoneNumber: options.phoneNumber,
      to,
      allowSend,
      recipientFixed: remote,
      checksKeys: options.checksKeys ?? true,
      preferExamples: options.preferExamples ?? false,
    });
    const outcomes: CaseOutcome[] = [];
    let acceptableSent = 0;
    let shrunk: CaseOutcome | undefined;
    let callbacks: CallbackReport | undefined;
    // A check fails the run unless it is leniency and the user said leniency is known.
    const fails = (check: CheckResult) => !check.ok && !(lenient && check.severity === "leniency");
    const snapshot = (): RunResult => {
      const ok =
        interrupted === undefined &&
        diagnosis === undefined &&
        outcomes.every((outcome) => !outcome.checks.some(fails)) &&
        !shrunk?.checks.some(fails) &&
        (callbacks?.findings.length ?? 0) === 0;
      return {
        target: shownTarget,
        mode,
        remote,
        seed,
        outcomes: [...outcomes],
        shrunk,
        acceptableSent,
        requestsSent: requestsSent + (callbackStage?.adminRequests() ?? 0),
        interrupted,
        diagnosis,
        hints: [...hints],
        lenient,
        ok,
        callbacks,
      };
    };
    if (diagnosis) return snapshot();
    // Stage: the callbacks of the accepted sends, against the kit's mock only.
    callbackStage = mode === "mock" && options.checkCallbacks !== false ? await startCallbackStage(options.target, limits, options.adminToken) : undefined;

    const run = async (testCase: Case): Promise<CaseOutcome | undefined> => {
      if (interrupted !== undefined || diagnosis !== undefined) return undefined;
      // Decided from the request itself, not from how the plan labelled it.
      const delivers = testCase.mayBeAccepted || couldDeliver(testCase.request);
      if (delivers) {
        if (!allowSend || acceptableSent >= maxSends) return undefined;
        acceptableSent++;
      }
      await pace();
      if (interrupted !== undefined) return undefined;
      requestsSent++;
      const observed = await sendCase(options.target, testCase.request, options.apiKey, limits);
      if (interrupted !== undefined && observed.status === undefined) return undefined; // cut by the stop, not the target's fault
      // Nothing has ever answered: one line saying so, not a violation per request.
      if (observed.status === undefined && !answeredOnce) {
        diagnosis = unreachable(shownTarget, observed.transportError ?? "no answer");
        return undefined;
      }
      answeredOnce ||= observed.status !== undefined;
      const example = observed.status === undefined ? undefined : exampleMatching(observed.status, observed.json)?.name;
      const requestIssues = testCase.expect === "rejected" || testCase.expect === "refused" ? issuesOf(testCase) : undefined;
      const checks = checkAnswer(
        {
          expect: testCase.expect,
          observed,
          ...(requestIssues ? { requestIssues } : {}),
          ...(options.maxResponseTimeMs === undefined ? {} : { maxResponseTimeMs: options.maxResponseTimeMs }),
        },
        selected,
      );
      const outcome: CaseOutcome = { testCase, observed, checks, example, curl: curlFor(shownTarget, testCase.request) };
      seen.push(outcome);
      const verdict = diagnoseAnswers(seen, {
        target: shownTarget,
        mode,
        sid: options.sid,
        phoneNumber: options.phoneNumber,
        checksKeys: options.checksKeys ?? true,
      });
      if (verdict.diagnosis) diagnosis = verdict.diagnosis;
      for (const hint of verdict.hints) if (!hints.includes(hint)) hints.push(hint);
      return diagnosis ? undefined : outcome;
    };
    const seen: CaseOutcome[] = [];

    for (const testCase of plan) {
      if (diagnosis !== undefined) return snapshot();
      const outcome = await run(testCase);
      if (outcome) {
        outcomes.push(outcome);
        options.onProgress?.(snapshot());
      }
    }
    if (diagnosis !== undefined) return snapshot();
    log(`${outcomes.length} planned cases sent`);

    // Generated valid requests: every one must be accepted. fast-check shrinks a failure to the
    // smallest request that still fails.
    const runs = Math.min(options.runs ?? 200, Math.max(0, maxSends - acceptableSent));
    if (allowSend && runs > 0 && interrupted === undefined) {
      const doc = loadDocument();
      const contract = operation();
      const checks = contractSchemas();
      const testRecipients = new Set(contract.testRecipients.map((recipient) => recipient.to));
      const arbitrary = arbitraryFor({ $ref: contract.requestSchemaPointer }, resolver(doc))
        .map((body) => (remote ? addressed(body, to) : body))
        .filter((body) => checks.check(contract.requestSchemaPointer, body).ok)
        // The kit's mock answers its test recipients with fixed failures: not a valid send's answer.
        .filter((body) => !testRecipients.has(recipientOf(body) ?? ""));
      const asCase = (body: Json): Case => ({
        category: "generated",
        title: "generated valid request",
        request: { sid: options.sid, phoneNumber: options.phoneNumber, body: JSON.stringify(body), contentType: contract.requestMediaTypes[0], key: "account" },
        expect: "accepted",
        mayBeAccepted: true,
      });
      const generated: CaseOutcome[] = [];
      let shrinking = false;
      const result = await fc.check(
        fc.asyncProperty(arbitrary, async (body) => {
          // While shrinking, only targets that deliver nothing: each step is another send.
          if ((shrinking && remote) || interrupted !== undefined) return true;
          const outcome = await run(asCase(body));
          if (!outcome) return true;
          if (!shrinking) {
            generated.push(outcome);
            outcomes.push(outcome);
            options.onProgress?.(snapshot());
          }
          const passed = outcome.checks.every((check) => check.ok);
          if (!passed) shrinking = true;
          return passed;
        }),
        { seed, numRuns: runs, endOnFailure: remote },
      );
      if (result.failed && result.counterexample && interrupted === undefined && diagnosis === undefined) {
        const smallest = await run(asCase(result.counterexample[0]));
        shrunk = smallest ?? generated.at(-1);
      }
      if (diagnosis === undefined) log(`${generated.length} generated valid requests sent (seed ${seed})`);
    }
    if (callbackStage && diagnosis === undefined) {
      const accepted = outcomes.flatMap((outcome) => {
        const id = (outcome.observed.json as { data?: { message_id?: unknown } } | undefined)?.data?.message_id;
        return outcome.observed.status === 202 && typeof id === "string" ? [id] : [];
      });
      callbacksFinished = true;
      callbacks = await callbackStage.finish(accepted, options.callbackWaitMs ?? 5_000);
      log(`${callbacks.received} status callbacks of ${accepted.length} accepted sends checked`);
    }
    return snapshot();
  } finally {
    // A run that stopped early still points the mock back and closes its receiver.
    if (callbackStage && !callbacksFinished) await callbackStage.finish([], 0);
    if (runTimer) clearTimeout(runTimer);
    options.signal?.removeEventListener("abort", onSignal);
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
      const timer = setTimeout(done, at - now);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  };
}
