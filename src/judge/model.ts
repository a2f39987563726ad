// The model of a judged exchange, shared by conformance (planned cases) and the proxy (recorded
// exchanges): a case, the request it makes and what it expects, and what came back. Types only;
// the checks and the result of a run (`result.ts`) build on these.

/**
 * accepted: the success; rejected: 400 WA400 (the payload breaks the contract); refused: any
 * documented 4xx (a malformed SID is also an incorrect one: RBC001 is as right as WA400);
 * unauthorized: 401 RBC001; documented: any documented answer (the contract leaves the choice open);
 * example:NAME: that named example's status and code (asked of a mock with Prefer);
 * valid: a recorded request the contract accepts (not refused as malformed);
 * unsupported-method: another method on the operation's path (405 with Allow).
 */
export type Expectation = "accepted" | "rejected" | "refused" | "unauthorized" | "documented" | "valid" | "unsupported-method" | `example:${string}`;

export interface CaseRequest {
  /** Upper-case; the operation's own method when absent. */
  method?: string;
  sid: string;
  phoneNumber: string;
  /** The body as sent, already serialized (a malformed one is a string that is not JSON). */
  body: string;
  contentType: string | undefined;
  /** "account" sends the run's key; "none" no api-key header; "wrong" a key that cannot be right. */
  key: "account" | "none" | "wrong";
  /** A Prism-style `Prefer` header asking a mock for a documented answer. */
  prefer?: string;
}

export interface Case {
  category: "auth" | "example" | "boundary" | "negative" | "method" | "generated" | "recorded";
  title: string;
  request: CaseRequest;
  expect: Expectation;
  /** True when a faithful target would accept the request: it could deliver a real message. */
  mayBeAccepted: boolean;
}

export interface Observed {
  /** Undefined when no answer came (refused, reset, timed out). */
  status: number | undefined;
  contentType: string | undefined;
  /** Lower-case names, values masked; empty when no answer came. */
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
  transportError: string | undefined;
  milliseconds: number;
}

/** What was observed of a request that got no answer: only why, and how long it took. */
export function unanswered(transportError: string, milliseconds: number): Observed {
  return { status: undefined, contentType: undefined, headers: {}, text: "", json: undefined, transportError, milliseconds };
}
