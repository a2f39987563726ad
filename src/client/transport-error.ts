// What a failed call through the kit's HTTP edge becomes for a caller: one KaleyraTransportError,
// its reason one they can switch on, its message and cause free of secrets. Shared by the send
// client and the mock's admin client.
import { HttpEdgeError, safeCause, UnreadableAnswerError } from "../http/edge.ts";
import type { Masker } from "../http/secrets.ts";
import { KaleyraTransportError, type RequestSummary } from "./errors.ts";

export interface FailedCall {
  summary: RequestSummary;
  mask: Masker;
  timeoutMs: number;
  /** The call's own deadline passed (an injected fetch is aborted by the kit's signal). */
  timedOut: boolean;
  /** The caller's signal aborted. */
  aborted: boolean;
  /** What the call is, in words ("send"). */
  action: string;
  /** What may have happened to the request when no answer came. */
  unknownOutcome: string;
}

export function transportError(thrown: unknown, call: FailedCall): KaleyraTransportError {
  const { summary: request, mask } = call;
  const cause = safeCause(thrown, mask);
  if (thrown instanceof HttpEdgeError && (thrown.reason === "redirect" || thrown.reason === "too-large")) {
    return new KaleyraTransportError({
      reason: thrown.reason,
      message: thrown.message,
      request,
      ...(thrown.status === undefined ? {} : { status: thrown.status }),
      ...(thrown.location === undefined ? {} : { location: thrown.location }),
    });
  }
  if (thrown instanceof UnreadableAnswerError) {
    return new KaleyraTransportError({ reason: "invalid-response", message: thrown.message, request, status: thrown.status });
  }
  if (call.timedOut || (thrown instanceof HttpEdgeError && thrown.reason === "timeout")) {
    return new KaleyraTransportError({ reason: "timeout", message: `No complete answer within ${call.timeoutMs} ms${call.unknownOutcome}`, request, cause });
  }
  if (call.aborted) {
    return new KaleyraTransportError({ reason: "aborted", message: `The ${call.action} was cancelled${call.unknownOutcome}`, request, cause });
  }
  const code = (thrown as { cause?: { code?: unknown } } | null)?.cause?.code;
  const why = thrown instanceof HttpEdgeError ? thrown.message : typeof code === "string" ? code : (cause?.message ?? "unknown failure");
  return new KaleyraTransportError({ reason: "network", message: `The request failed before an answer came (${mask(why)})`, request, cause });
}
