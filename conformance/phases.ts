// The phases of a conformance run, in the order `runner.ts` runs them. Each takes the run's
// context (`context.ts`) and gives back what it found; sending, stopping and diagnosing go
// through the context, so each phase says only what it sends and in what order.
import fc from "fast-check";
import { randomBytes } from "node:crypto";
import { loadDocument } from "../src/contract/document.ts";
import { identityPath, isIdentity } from "../src/contract/identity.ts";
import { operation, recipientOf } from "../src/contract/operation.ts";
import { contractSchemas } from "../src/contract/schemas.ts";
import { exchange, urlAt } from "../src/http/exchange.ts";
import type { Case } from "../src/judge/model.ts";
import type { CallbackReport, CaseOutcome, TargetMode } from "../src/judge/result.ts";
import { resolver, type Json } from "../src/judge/schema.ts";
import { parseJson } from "../src/json/read.ts";
import { type CallbackStage, startCallbackStage } from "./callbacks.ts";
import type { RunContext } from "./context.ts";
import { arbitraryFor } from "./derive.ts";
import { addressed, buildPlan } from "./plan.ts";
import type { SendLimits } from "./send.ts";

/** The identity probe; `noAnswer` says why nothing came back, when nothing did. */
export async function probeTarget(target: string, limits: SendLimits, adminToken?: string): Promise<{ mock: boolean; noAnswer?: string }> {
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

/**
 * Identify: the target's mode. The full plan holds requests a real pod would deliver: only for a
 * target that proves it is the kit's mock, or that the user vouches for. A probe nothing answers
 * diagnoses the target.
 */
export async function identify(context: RunContext): Promise<TargetMode> {
  const { options } = context;
  if (options.trustedTarget) return "trusted";
  if (options.treatAsRemote) return "live";
  await context.pace();
  context.requestsSent++;
  const probe = await probeTarget(options.target, context.limits, options.adminToken);
  if (probe.noAnswer !== undefined && !context.stopped()) context.unreachable(probe.noAnswer);
  else context.answeredOnce = true;
  return probe.mock ? "mock" : "live";
}

/** The line that says which plan the target gets; none for a target that cannot be judged. */
export function announce(context: RunContext): void {
  const { options } = context;
  if (context.diagnosis !== undefined) return;
  const target = context.shownTarget;
  context.log(
    context.mode === "mock"
      ? `${target} identified itself as the kit's mock: the full plan.`
      : context.mode === "trusted"
        ? `${target} is trusted (--trusted-target): the full plan.`
        : `${target} is not the kit's mock: the safe plan${options.allowSend ? `, plus at most ${options.maxSends ?? 1} request(s) that may be accepted, to ${options.to}` : ""}.`,
  );
}

/** The planned cases, for the target's mode and what the policy lets the run send. */
export function planCases(context: RunContext): Case[] {
  const { options } = context;
  return buildPlan({
    sid: options.sid,
    phoneNumber: options.phoneNumber,
    to: context.policy.to,
    allowSend: context.policy.allowSend,
    recipientFixed: context.mode === "live",
    checksKeys: options.checksKeys ?? true,
    preferExamples: options.preferExamples ?? false,
  });
}

/** The stage that checks the callbacks of the accepted sends, against the kit's mock only. */
export async function startCallbacks(context: RunContext): Promise<CallbackStage | undefined> {
  const { options } = context;
  return context.mode === "mock" && options.checkCallbacks !== false ? await startCallbackStage(options.target, context.limits, options.adminToken) : undefined;
}

/** Planned cases: each sent if the run may, in the plan's order, until the run stops or is diagnosed. */
export async function planned(context: RunContext, plan: readonly Case[]): Promise<void> {
  for (const testCase of plan) {
    if (context.diagnosis !== undefined) return;
    const outcome = await context.send(testCase);
    if (outcome) context.record(outcome);
  }
  if (context.diagnosis !== undefined) return;
  context.log(`${context.recorded().length} planned cases sent`);
}

/**
 * Generated valid requests: every one must be accepted. fast-check shrinks a failure to the
 * smallest request that still fails; that request's outcome is what this phase gives back.
 */
export async function generated(context: RunContext): Promise<CaseOutcome | undefined> {
  const { options } = context;
  if (context.diagnosis !== undefined) return undefined;
  const { allowSend, maxSends, to } = context.policy;
  const remote = context.mode === "live";
  const runs = Math.min(options.runs ?? 200, Math.max(0, maxSends - context.acceptableSent));
  if (!(allowSend && runs > 0 && !context.stopped())) return undefined;
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
  const sent: CaseOutcome[] = [];
  let shrinking = false;
  let shrunk: CaseOutcome | undefined;
  const result = await fc.check(
    fc.asyncProperty(arbitrary, async (body) => {
      // While shrinking, only targets that deliver nothing: each step is another send.
      if ((shrinking && remote) || context.stopped()) return true;
      const outcome = await context.send(asCase(body));
      if (!outcome) return true;
      if (!shrinking) {
        sent.push(outcome);
        context.record(outcome);
      }
      const passed = outcome.checks.every((check) => check.ok);
      if (!passed) shrinking = true;
      return passed;
    }),
    { seed: context.seed, numRuns: runs, endOnFailure: remote },
  );
  if (result.failed && result.counterexample && !context.stopped() && context.diagnosis === undefined) {
    const smallest = await context.send(asCase(result.counterexample[0]));
    shrunk = smallest ?? sent.at(-1);
  }
  if (context.diagnosis === undefined) context.log(`${sent.length} generated valid requests sent (seed ${context.seed})`);
  return shrunk;
}

/** Callbacks: the stage waits for a whole sequence per accepted message, checks them, and points the mock back. */
export async function callbacks(context: RunContext): Promise<CallbackReport | undefined> {
  const { options } = context;
  const stage = context.callbackStage;
  if (!stage || context.diagnosis !== undefined) return undefined;
  const accepted = context.recorded().flatMap((outcome) => {
    const id = (outcome.observed.json as { data?: { message_id?: unknown } } | undefined)?.data?.message_id;
    return outcome.observed.status === 202 && typeof id === "string" ? [id] : [];
  });
  const report = await context.finishCallbacks(stage, accepted, options.callbackWaitMs ?? 5_000);
  context.log(`${report.received} status callbacks of ${accepted.length} accepted sends checked`);
  return report;
}
