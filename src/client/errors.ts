// The three ways a send can fail, as values a caller can switch on (`error.kind`). None of them
// holds the api-key: they are built from the status, the body and the request's method and URL.
import type { components } from "../../generated/kaleyra-whatsapp-video.ts";
import type { ValidationIssue } from "../contract/issues.ts";
import type { components as AdminComponents } from "../../generated/kaleyra-mock-admin.ts";

type AdminSchemas = AdminComponents["schemas"];

type Schemas = components["schemas"];

/** The error codes the contract documents, by the envelopes' own `code` types. */
export type DocumentedErrorCode = Schemas["BadRequestEnvelope"]["code"] | Schemas["UnauthorizedEnvelope"]["code"] | Schemas["InternalErrorEnvelope"]["code"];

/** The vendor's answer body: the shared envelope. */
export type Envelope = Schemas["Envelope"];
export type AcceptedEnvelope = Schemas["AcceptedEnvelope"];

export interface RequestSummary {
  method: string;
  /** The URL sent to: it carries the SID and the business number, never the key. */
  url: string;
}

export type KaleyraErrorKind = "api" | "validation" | "transport" | "admin";

abstract class KaleyraErrorBase extends Error {
  abstract readonly kind: KaleyraErrorKind;
  readonly request: RequestSummary;

  constructor(message: string, request: RequestSummary, options?: ErrorOptions) {
    super(message, options);
    this.request = request;
  }
}

/**
 * The API answered with an error envelope. `code` is one of the documented codes when
 * `documented` is true; an undocumented one (the vendor's other pages mention WAV2101 and WA429)
 * still arrives here, with `documented: false`.
 */
export class KaleyraApiError extends KaleyraErrorBase {
  override readonly name = "KaleyraApiError";
  readonly kind = "api" as const;
  readonly status: number;
  readonly code: DocumentedErrorCode | (string & {});
  readonly documented: boolean;
  /**
   * The name of the contract's example this answer is, when it is one: it tells apart the two
   * meanings of WA-401 (`account-not-enabled`, `phone-number-other-version`).
   */
  readonly reason: string | undefined;
  /** The envelope's `message`, as the vendor wrote it. */
  readonly apiMessage: string;
  /** The envelope's `error` map: which part failed and why. */
  readonly details: Readonly<Record<string, string>>;
  readonly envelope: Envelope;

  constructor(fields: { status: number; envelope: Envelope; documented: boolean; reason: string | undefined; request: RequestSummary }) {
    const { status, envelope } = fields;
    super(`Kaleyra answered ${status} ${envelope.code}: ${envelope.message}`, fields.request);
    this.status = status;
    this.code = envelope.code;
    this.documented = fields.documented;
    this.reason = fields.reason;
    this.apiMessage = envelope.message;
    this.details = envelope.error;
    this.envelope = envelope;
  }
}

/** The request breaks the contract, or the client's options cannot work; nothing was sent. */
export class KaleyraValidationError extends KaleyraErrorBase {
  override readonly name = "KaleyraValidationError";
  readonly kind = "validation" as const;
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], request: RequestSummary, lead = "The request breaks the contract, so it was not sent") {
    super(`${lead}: ${issues.map((i) => `${i.field} ${i.message}`).join("; ")}`, request);
    this.issues = issues;
  }
}

/**
 * timeout, aborted, network: no answer came. invalid-response: an answer that is not the vendor's
 * envelope. redirect: a 3xx, never followed (the key would go with it). too-large: an answer
 * past the client's `maxResponseBytes`, not read further.
 */
export type TransportReason = "timeout" | "aborted" | "network" | "invalid-response" | "redirect" | "too-large";

/**
 * No usable answer: a time-out, a cancel, a network failure, or an answer that is not the
 * vendor's envelope (an HTML 502 from a proxy, a 200 that is not JSON). After a time-out or a
 * network failure the message may or may not have been queued: do not resend at once.
 */
export class KaleyraTransportError extends KaleyraErrorBase {
  override readonly name = "KaleyraTransportError";
  readonly kind = "transport" as const;
  readonly reason: TransportReason;
  /** The HTTP status, when an answer came. */
  readonly status: number | undefined;
  /** The start of the answer's body, when it was not usable, with the key masked out. */
  readonly bodySnippet: string | undefined;
  /** For a redirect: the Location it named, credentials stripped; it was not requested. */
  readonly location: string | undefined;

  constructor(fields: {
    reason: TransportReason;
    message: string;
    request: RequestSummary;
    status?: number;
    bodySnippet?: string;
    location?: string;
    cause?: unknown;
  }) {
    super(fields.message, fields.request, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.reason = fields.reason;
    this.status = fields.status;
    this.bodySnippet = fields.bodySnippet;
    this.location = fields.location;
  }
}

/** The mock's admin API refused a call: its RFC 9457 problem, with the fields at fault. */
export type AdminProblem = AdminSchemas["Problem"];

/** The kit's mock answered an admin call with a problem (a bad scenario, a missing token, an unknown id). */
export class KaleyraAdminError extends KaleyraErrorBase {
  override readonly name = "KaleyraAdminError";
  readonly kind = "admin" as const;
  readonly status: number;
  readonly problem: AdminProblem;

  constructor(fields: { status: number; problem: AdminProblem; request: RequestSummary }) {
    super(`The mock's admin API answered ${fields.status}: ${fields.problem.detail}`, fields.request);
    this.status = fields.status;
    this.problem = fields.problem;
  }
}

export type KaleyraError = KaleyraApiError | KaleyraValidationError | KaleyraTransportError | KaleyraAdminError;

export function isKaleyraError(error: unknown): error is KaleyraError {
  return (
    error instanceof KaleyraApiError || error instanceof KaleyraValidationError || error instanceof KaleyraTransportError || error instanceof KaleyraAdminError
  );
}
