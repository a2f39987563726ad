// The typed client: openapi-fetch over the generated types, with the request checked against the
// contract before it is sent and every failure turned into a KaleyraError value.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../../generated/kaleyra-whatsapp-video.ts";
import { exampleMatching, operation } from "../contract/operation.ts";
import { contractSchemas } from "../contract/schemas.ts";
import { KaleyraApiError, KaleyraTransportError, KaleyraValidationError, type AcceptedEnvelope, type Envelope, type RequestSummary } from "./errors.ts";
import { operationIssues } from "../contract/request.ts";
import { defaultMaxResponseBytes, maxResponseBytesLimit, maxTimerMs } from "../http/edge.ts";
import { deadline, guardedTransport, type FetchLike } from "../http/fetch.ts";
import { isSuccess } from "../http/status.ts";
import { createMasker, excerpt, headerValueProblem, maskDeep, maskedSecret } from "../http/secrets.ts";
import { parseJson } from "../json/read.ts";
import { podUrl, podUrls, type Pod } from "./pods.ts";
import { checkBaseUrl } from "./base-url.ts";
import { transportError } from "./transport-error.ts";

type Schemas = components["schemas"];
export type SendVideoRequest = Schemas["SendVideoRequest"];
export type ExtraInfo = Schemas["ExtraInfo"];

/** Exactly one of two shapes: the keys of each are forbidden in the other (as the contract's oneOf says). */
type OneOf<A, B> = (A & { [K in Exclude<keyof B, keyof A>]?: never }) | (B & { [K in Exclude<keyof A, keyof B>]?: never });

/** Where sends go: a vendor pod, or any base URL (the local mock, a proxy); never both. */
export type KaleyraTarget = OneOf<
  {
    /** A vendor pod. */
    pod: Pod;
  },
  {
    /** Any base URL (the local mock, a proxy). `http://` is refused off loopback unless `allowInsecureHttp`. */
    baseUrl: string;
  }
>;

export type KaleyraClientOptions = KaleyraTarget & {
  /** The account SID. */
  sid: string;
  /** The account's API key; kept in a closure, never logged, never put on an error. */
  apiKey: string;
  allowInsecureHttp?: boolean;
  /** Time limit of a whole send (connect, answer, body) in milliseconds; 30 s by default. */
  timeoutMs?: number;
  /** The largest answer read, in bytes after decompression; 1 MiB by default. */
  maxResponseBytes?: number;
  userAgent?: string;
  /** A fetch to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: FetchLike;
};

/** The video by the contract's two shapes, `id` or `link`, never both (the caption is its own field). */
export type VideoInput = OneOf<Pick<Schemas["VideoById"], "id">, Pick<Schemas["VideoByLink"], "link">>;

export interface SendVideoInput {
  /** The business's WhatsApp number that sends, registered to the account (E.164, with `+`). */
  phoneNumber: string;
  /** The customer's WhatsApp number (E.164, with `+`). */
  to: string;
  /** The video: an uploaded media id (recommended) or a public HTTP(S) link. */
  video: VideoInput;
  caption?: string;
  extraInfo?: ExtraInfo;
  /** Cancels the send. */
  signal?: AbortSignal;
}

export interface SendVideoResult {
  messageId: string;
  envelope: AcceptedEnvelope;
}

export interface PreparedRequest {
  method: string;
  url: string;
  /** The headers sent, with the api-key masked. */
  headers: Record<string, string>;
  body: SendVideoRequest;
}

export interface KaleyraClient {
  readonly baseUrl: string;
  /**
   * Sends one video message to the configured origin only: redirects are refused, answers read
   * within `maxResponseBytes`. Rejects only with a KaleyraError. Never retries: see the README.
   */
  sendVideo(input: SendVideoInput): Promise<SendVideoResult>;
  /** Builds and checks the request without sending it; throws KaleyraValidationError. */
  prepareVideo(input: SendVideoInput): PreparedRequest;
  /** The openapi-fetch client, typed from the contract, for anything the helpers do not cover. */
  readonly raw: Client<paths>;
}

export const defaultTimeoutMs = 30_000;
export { defaultMaxResponseBytes };

/** Options that cannot work are refused before anything is sent, as validation errors naming them. */
function optionsProblem(field: string, message: string, rule = "option"): KaleyraValidationError {
  return new KaleyraValidationError(
    [{ field, rule, message }],
    { method: operation().method.toUpperCase(), url: "" },
    "The client's options cannot work, so nothing was sent",
  );
}

function readOptions(options: unknown): KaleyraClientOptions {
  if (typeof options !== "object" || options === null) throw optionsProblem("(options)", "must be an object with sid, apiKey and pod or baseUrl");
  try {
    // Read once: a getter runs once, and one that throws is a refused option, not a crash.
    const o = options as Record<string, unknown>;
    const copy: Record<string, unknown> = {};
    for (const key of ["sid", "apiKey", "pod", "baseUrl", "allowInsecureHttp", "timeoutMs", "maxResponseBytes", "userAgent", "fetch"]) copy[key] = o[key];
    return copy as unknown as KaleyraClientOptions;
  } catch {
    throw optionsProblem("(options)", "could not be read (a property threw)");
  }
}

function resolveBaseUrl(options: KaleyraClientOptions): string {
  if ((options.pod === undefined) === (options.baseUrl === undefined)) {
    throw optionsProblem("pod", "give exactly one of `pod` or `baseUrl`");
  }
  if (options.pod !== undefined) {
    const url = typeof options.pod === "string" ? podUrl(options.pod) : undefined;
    if (!url)
      throw optionsProblem(
        "pod",
        `${JSON.stringify(String(options.pod)).slice(0, 40)} is not a pod of the contract; use one of ${Object.keys(podUrls()).join(", ")}`,
      );
    return url;
  }
  const checked = checkBaseUrl(options.baseUrl, options.allowInsecureHttp === true, "api-key");
  if (!checked.ok) throw optionsProblem("baseUrl", checked.problem);
  return checked.url;
}

function wholeNumberOption(value: unknown, field: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw optionsProblem(field, `must be a whole number from 1 to ${max}`);
  }
  return value;
}

/** The media type the client sends its body as. */
const sentMediaType = "application/json";

/** The judge's names of the path parameters, as the client's options and input name them. */
const clientFields: Record<string, string> = { "path sid": "sid", "path phone_number": "phoneNumber" };

/** Path parameters are percent-encoded, except `+`: the vendor writes the number's `+` literally. */
function pathSerializer(pathname: string, params: Record<string, unknown>): string {
  return pathname.replace(/\{([^}]+)\}/g, (placeholder, name: string) =>
    params[name] === undefined ? placeholder : encodeURIComponent(String(params[name])).replace(/%2B/gi, "+"),
  );
}

/** The caller's input as plain data, read once; anything that cannot be read is a validation error. */
interface InputSnapshot {
  phoneNumber: unknown;
  to: unknown;
  video: unknown;
  caption: unknown;
  extraInfo: unknown;
  signal: AbortSignal | undefined;
}

function snapshot(input: unknown, request: RequestSummary): InputSnapshot {
  const refuse = (field: string, message: string): never => {
    throw new KaleyraValidationError([{ field, rule: "input", message }], request);
  };
  if (typeof input !== "object" || input === null) return refuse("(input)", "must be an object with phoneNumber, to and video");
  let data: Omit<InputSnapshot, "signal">;
  let signal: unknown;
  try {
    const i = input as Record<string, unknown>;
    signal = i.signal;
    // JSON round-trip: getters run once, functions and cycles cannot slip through as values.
    data = JSON.parse(JSON.stringify({ phoneNumber: i.phoneNumber, to: i.to, video: i.video, caption: i.caption, extraInfo: i.extraInfo }) ?? "{}") as Omit<
      InputSnapshot,
      "signal"
    >;
  } catch {
    return refuse("(input)", "could not be read as plain data (a property threw, or holds a cycle or a BigInt)");
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) return refuse("signal", "must be an AbortSignal");
  return { ...data, signal: signal as AbortSignal | undefined };
}

function buildBody(input: InputSnapshot): SendVideoRequest {
  const video = typeof input.video === "object" && input.video !== null && !Array.isArray(input.video) ? { ...(input.video as object) } : input.video;
  const withCaption = input.caption === undefined || typeof video !== "object" || video === null ? video : { ...video, caption: input.caption };
  const messaging = { messaging_product: "whatsapp", recipient_type: "individual", to: input.to, type: "video", video: withCaption };
  const body: Record<string, unknown> = { messaging_object: messaging };
  if (input.extraInfo !== undefined) body.extra_info = input.extraInfo;
  return body as unknown as SendVideoRequest;
}

export function createKaleyraClient(given: KaleyraClientOptions): KaleyraClient {
  const options = readOptions(given);
  const baseUrl = resolveBaseUrl(options);
  const { apiKey } = options;
  const sid = options.sid as unknown;
  const keyProblem = headerValueProblem(apiKey);
  // The reason never quotes the key: a key with a line break would otherwise split the message.
  if (keyProblem) throw optionsProblem("apiKey", keyProblem, "header-value");
  if (options.userAgent !== undefined && (typeof options.userAgent !== "string" || /[^\x20-\x7e]/.test(options.userAgent))) {
    throw optionsProblem("userAgent", "must be printable ASCII");
  }
  if (options.fetch !== undefined && typeof options.fetch !== "function") throw optionsProblem("fetch", "must be a function");
  const timeoutMs = wholeNumberOption(options.timeoutMs, "timeoutMs", defaultTimeoutMs, maxTimerMs);
  const maxResponseBytes = wholeNumberOption(options.maxResponseBytes, "maxResponseBytes", defaultMaxResponseBytes, maxResponseBytesLimit);
  const mask = createMasker([apiKey]);
  const contract = operation();
  const method = contract.method.toUpperCase();
  const headers: Record<string, string> = { "api-key": apiKey, accept: "application/json" };
  if (options.userAgent !== undefined) headers["user-agent"] = options.userAgent;

  const raw = createClient<paths>({ baseUrl, headers, pathSerializer, ...guardedTransport(options.fetch, { maxResponseBytes, secrets: [apiKey], timeoutMs }) });

  const prepare = (input: SendVideoInput): { prepared: PreparedRequest; summary: RequestSummary; signal: AbortSignal | undefined; phoneNumber: string } => {
    const unaddressed = { method, url: baseUrl + contract.path };
    const data = snapshot(input, unaddressed);
    const body = buildBody(data);
    const path = pathSerializer(contract.path, { sid, phone_number: data.phoneNumber });
    const summary = { method, url: mask(baseUrl + path) };
    // The one request judge, on the parts before they are written; its path fields in the client's words.
    const issues = operationIssues({ pathParameters: { sid, phone_number: data.phoneNumber }, contentType: sentMediaType, body: { value: body } }).map(
      (issue) => ({ ...issue, field: clientFields[issue.field] ?? issue.field }),
    );
    if (issues.length > 0)
      throw new KaleyraValidationError(
        issues.map((issue) => ({ ...issue, message: mask(issue.message) })),
        summary,
      );
    const shownHeaders = { ...headers, "content-type": sentMediaType, "api-key": maskedSecret };
    return { prepared: { ...summary, headers: shownHeaders, body }, summary, signal: data.signal, phoneNumber: data.phoneNumber as string };
  };

  // The kit's own exchange takes the deadline itself; an injected fetch gets it as a signal.
  const injected = options.fetch !== undefined;

  const sendVideo = async (input: SendVideoInput): Promise<SendVideoResult> => {
    const { prepared, summary, signal, phoneNumber } = prepare(input);
    const limit = injected ? deadline(timeoutMs, signal) : undefined;

    let response: Response;
    let payload: unknown;
    try {
      // `timeoutMs` is not a fetch option: openapi-fetch hands unknown keys on to the transport.
      const extra = limit ? { signal: limit.signal } : { timeoutMs, ...(signal ? { signal } : {}) };
      const result = await raw.POST("/v2/{sid}/whatsapp/{phone_number}/messages", {
        params: { path: { sid: sid as string, phone_number: phoneNumber } },
        body: prepared.body,
        parseAs: "text",
        redirect: "manual",
        ...(extra as { signal?: AbortSignal }),
      });
      response = result.response;
      // Successes come as text (parseAs); openapi-fetch parses error bodies itself when it can.
      payload = result.data ?? result.error;
    } catch (thrown) {
      throw transportError(thrown, {
        summary,
        mask,
        timeoutMs,
        timedOut: limit?.timedOut() ?? false,
        aborted: signal?.aborted === true,
        action: "send",
        unknownOutcome: "; the message may or may not have been queued",
      });
    } finally {
      limit?.done();
    }
    return interpret(response.status, payload, summary);
  };

  const interpret = (status: number, payload: unknown, request: RequestSummary): SendVideoResult => {
    // The body was masked as it was read (the kit's fetch), before openapi-fetch parsed it.
    const text = typeof payload === "string" ? payload : (JSON.stringify(payload) ?? "");
    const invalid = (why: string) =>
      new KaleyraTransportError({
        reason: "invalid-response",
        message: `Answer ${status} is not the vendor's envelope: ${why}`,
        request,
        status,
        bodySnippet: excerpt(text, mask),
      });
    let body: unknown = payload;
    if (typeof payload === "string" || payload === undefined) {
      const parsed = parseJson(text);
      if (!parsed.ok) throw invalid(parsed.kind === "malformed" ? "not JSON" : `its JSON ${parsed.problem}`);
      body = parsed.value;
    }
    // Once more after parsing: a key escaped inside a JSON string is only whole once decoded.
    body = maskDeep(body, mask);
    const check = contractSchemas();
    const pointer = contract.responseSchemaPointers[status];
    if (isSuccess(status)) {
      if (pointer === undefined || !check.check(pointer, body).ok) throw invalid("not a documented success");
      const envelope = body as AcceptedEnvelope;
      return { messageId: envelope.data.message_id, envelope };
    }
    if (!check.check("#/components/schemas/Envelope", body).ok) throw invalid("no code, message, data and error");
    const envelope = body as Envelope;
    const documented = pointer !== undefined && check.check(pointer, body).ok;
    throw new KaleyraApiError({ status, envelope, documented, reason: documented ? exampleMatching(status, envelope)?.name : undefined, request });
  };

  return {
    baseUrl,
    sendVideo,
    prepareVideo: (input) => prepare(input).prepared,
    raw,
  };
}
