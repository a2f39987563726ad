// A conformance run: the planned cases, then generated valid requests (property-based, seeded,
// shrunk on failure), every answer checked against the contract.
import fc from "fast-check";
import { loadDocument } from "../src/contract/document.ts";
import { exampleMatching, operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { checkAnswer, type CheckResult } from "./checks.ts";
import { arbitraryFor, resolver, type Json } from "./derive.ts";
import { addressed, buildPlan, requestExamples, type Case } from "./plan.ts";
import { curlFor, sendCase, type Observed } from "./send.ts";

export interface RunOptions {
  /** Base URL of the target, e.g. http://127.0.0.1:4010 or https://api.in.kaleyra.io. */
  target: string;
  sid: string;
  phoneNumber: string;
  apiKey: string;
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
  /** Treat a loopback target as remote (tests of the safety rules). */
  treatAsRemote?: boolean;
  timeoutMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface CaseOutcome {
  testCase: Case;
  observed: Observed;
  checks: CheckResult[];
  /** The contract's named example the answer is, if any. */
  example: string | undefined;
  curl: string;
}

export interface RunResult {
  target: string;
  remote: boolean;
  seed: number;
  outcomes: CaseOutcome[];
  /** The smallest generated request that fails, when one does. */
  shrunk: CaseOutcome | undefined;
  /** Requests sent that a faithful target would accept. */
  acceptableSent: number;
  ok: boolean;
}

export function isLoopback(target: string): boolean {
  const { hostname } = new URL(target);
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

export async function runConformance(options: RunOptions): Promise<RunResult> {
  const log = options.log ?? (() => {});
  const remote = options.treatAsRemote === true || !isLoopback(options.target);
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const timeoutMs = options.timeoutMs ?? 10_000;
  // A remote target is real money and real customers: acceptable requests only when asked,
  // only to the given recipient, and only so many.
  const allowSend = remote ? options.allowSend === true : true;
  if (remote && allowSend && !options.to) throw new Error("sending to a remote target needs the recipient --to");
  const maxSends = remote ? (options.maxSends ?? 1) : Number.POSITIVE_INFINITY;
  const examples = requestExamples();
  const to = options.to ?? ((examples["by-media-id"] as { messaging_object: { to: string } }).messaging_object.to);

  const plan = buildPlan({ sid: options.sid, phoneNumber: options.phoneNumber, to, allowSend, recipientFixed: remote, checksKeys: options.checksKeys ?? true, preferExamples: options.preferExamples ?? false });
  const outcomes: CaseOutcome[] = [];
  let acceptableSent = 0;

  const run = async (testCase: Case): Promise<CaseOutcome | undefined> => {
    if (testCase.mayBeAccepted) {
      if (acceptableSent >= maxSends) return undefined;
      acceptableSent++;
    }
    const observed = await sendCase(options.target, testCase.request, options.apiKey, timeoutMs);
    const example = observed.status === undefined ? undefined : exampleMatching(observed.status, observed.json)?.name;
    return { testCase, observed, checks: checkAnswer(testCase, observed), example, curl: curlFor(options.target, testCase.request) };
  };

  for (const testCase of plan) {
    const outcome = await run(testCase);
    if (outcome) outcomes.push(outcome);
  }
  log(`${outcomes.length} planned cases sent`);

  // Generated valid requests: every one must be accepted. fast-check shrinks a failure to the
  // smallest request that still fails.
  let shrunk: CaseOutcome | undefined;
  const runs = Math.min(options.runs ?? 200, Math.max(0, maxSends - acceptableSent));
  if (allowSend && runs > 0) {
    const doc = loadDocument();
    const contract = operation();
    const checks = compileContractSchemas(doc);
    const arbitrary = arbitraryFor({ $ref: contract.requestSchemaPointer }, resolver(doc))
      .map((body) => (remote ? addressed(body, to) : body))
      .filter((body) => checks.check(contract.requestSchemaPointer, body).ok);
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
        // While shrinking, only loopback targets: each step is another send.
        if (shrinking && remote) return true;
        const outcome = await run(asCase(body));
        if (!outcome) return true;
        if (!shrinking) generated.push(outcome);
        const passed = outcome.checks.every((check) => check.ok);
        if (!passed) shrinking = true;
        return passed;
      }),
      { seed, numRuns: runs, endOnFailure: remote },
    );
    outcomes.push(...generated);
    if (result.failed && result.counterexample) {
      const smallest = await run(asCase(result.counterexample[0]));
      shrunk = smallest ?? generated.at(-1);
    }
    log(`${generated.length} generated valid requests sent (seed ${seed})`);
  }

  const ok = outcomes.every((outcome) => outcome.checks.every((check) => check.ok)) && (!shrunk || shrunk.checks.every((check) => check.ok));
  return { target: options.target, remote, seed, outcomes, shrunk, acceptableSent, ok };
}
