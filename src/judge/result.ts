// The result of a run, planned (conformance) or recorded (the proxy, a replay): each case's
// outcome and what they add up to. Types only: whoever orchestrates a run, and whoever reports
// one, depends on these and on no orchestrator.
import type { CallbackFinding } from "../callbacks/checker.ts";
import type { CheckResult } from "./checks.ts";
import type { Case, Observed } from "./model.ts";

export interface CaseOutcome {
  testCase: Case;
  observed: Observed;
  checks: CheckResult[];
  /** The contract's named example the answer is, if any. */
  example: string | undefined;
  curl: string;
}

/** mock: the target proved it is the kit's mock; trusted: the user said so; live: neither. */
export type TargetMode = "mock" | "trusted" | "live";

export interface Diagnosis {
  /** unreachable: nothing listens (or no such host); silent: connected, but no whole answer came; credentials: the key or SID is not this target's. */
  kind: "unreachable" | "silent" | "credentials";
  message: string;
}

/** The status callbacks of a run's accepted sends, checked end to end (the kit's mock only). */
export interface CallbackReport {
  /** Accepted sends whose callbacks were awaited. */
  messages: number;
  /** Callbacks received. */
  received: number;
  /** Each finding, by check; `complete` for a message that did not get a whole sequence in time. */
  findings: (CallbackFinding | { check: "complete"; messageId: string; message: string })[];
}

export interface RunResult {
  /** The target as shown: credentials never appear. */
  target: string;
  mode: TargetMode;
  /** True when the safe plan was used. */
  remote: boolean;
  seed: number;
  outcomes: CaseOutcome[];
  /** The smallest generated request that fails, when one does. */
  shrunk: CaseOutcome | undefined;
  /** Requests sent that a faithful target would accept. */
  acceptableSent: number;
  /** Every request that left, the identity probe and shrinking steps included. */
  requestsSent: number;
  /** Why the run stopped before its end (a deadline, a signal), if it did. */
  interrupted: string | undefined;
  /** The status callbacks of the accepted sends, checked end to end (the kit's mock only). */
  callbacks: CallbackReport | undefined;
  /** Why the target could not be judged at all (nothing listening, a key it does not know); the run stopped. */
  diagnosis: Diagnosis | undefined;
  /** What probably explains the findings, most useful first. */
  hints: string[];
  /** --lenient: leniency is reported without failing the run. */
  lenient: boolean;
  /** Set when the answers were recorded (the proxy, a replay): how many, and how many fell outside the contract. */
  recording?: { exchanges: number; outside: number; file?: string };
  ok: boolean;
}
