// The typed client: openapi-fetch over the generated types, with the request checked against the
// contract before it is sent and every failure turned into a KaleyraError value.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../../generated/kaleyra-whatsapp-video.ts";
import { exampleMatching, operation } from "../contract/operation.ts";
import { compileContractSchemas, type ContractSchemas } from "../contract/schemas.ts";
import {
  KaleyraApiError,
  KaleyraTransportError,
  KaleyraValidationError,
  type AcceptedEnvelope,
  type Envelope,
  type RequestSummary,
} from "./errors.ts";
import { podUrl, podUrls, type Pod } from "./pods.ts";
import { deadline, transportFor, type FetchLike } from "./transport.ts";

type Schemas = components["schemas"];
export type SendVideoRequest = Schemas["SendVideoRequest"];
export type ExtraInfo = Schemas["ExtraInfo"];

export interface KaleyraClientOptions {
  /** The account SID. */
  sid: string;
  /** The account's API key; kept in a closure, never logged, never put on an error. */
  apiKey: string;
  /** A vendor pod… */
  pod?: Pod;
  /** …or any base URL (the local mock, a proxy). `http://` is refused off loopback unless `allowInsecureHttp`. */
  baseUrl?: string;
  allowInsecureHttp?: boolean;
  /** Per-request time limit in milliseconds; 30 s by default. */
  timeoutMs?: number;
  userAgent?: string;
  /** A fetch to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: FetchLike;
}

export interface SendVideoInput {
  /** The business's WhatsApp number that sends, registered to the account (E.164, with `+`). */
  phoneNumber: string;
  /** The customer's WhatsApp number (E.164, with `+`). */
  to: string;
  /** The video: an uploaded media id (recommended) or a public HTTP(S) link. */
  video: { id: string } | { link: string };
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
  /** Sends one video message. Rejects only with a KaleyraError. Never retries: see the README. */
  sendVideo(input: SendVideoInput): Promise<SendVideoResult>;
  /** Builds and checks the request without sending it; throws KaleyraValidationError. */
  prepareVideo(input: SendVideoInput): PreparedRequest;
  /** The openapi-fetch client, typed from the contract, for anything the helpers do not cover. */
  readonly raw: Client<paths>;
}

export const defaultTimeoutMs = 30_000;
const maskedKey = "***";

let schemas: ContractSchemas | undefined;
const contractSchemas = () => (schemas ??= compileContractSchemas());

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

function resolveBaseUrl(options: KaleyraClientOptions): string {
  if ((options.pod === undefined) === (options.baseUrl === undefined)) {
    throw new TypeError("createKaleyraClient needs exactly one of `pod` or `baseUrl`");
  }
  if (options.pod !== undefined) {
    const url = podUrl(options.pod);
    if (!url) throw new TypeError(`unknown pod ${JSON.stringify(options.pod)}; the contract lists ${Object.keys(podUrls()).join(", ")}`);
    return url;
  }
  let url: URL;
  try {
    url = new URL(options.baseUrl!);
  } catch {
    throw new TypeError(`baseUrl ${JSON.stringify(options.baseUrl)} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`baseUrl must be http(s), not ${url.protocol}`);
  const loopback = loopbackHosts.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol === "http:" && !loopback && !options.allowInsecureHttp) {
    throw new TypeError("baseUrl uses plain http off loopback, which would send the api-key in clear; use https, or set allowInsecureHttp");
  }
  return url.href.replace(/\/+$/, "");
}

/** Path parameters are percent-encoded, except `+`: the vendor writes the number's `+` literally. */
function pathSerializer(pathname: string, params: Record<string, unknown>): string {
  return pathname.replace(/\{([^}]+)\}/g, (placeholder, name: string) =>
    params[name] === undefined ? placeholder : encodeURIComponent(String(params[name])).replace(/%2B/gi, "+"),
  );
}

function buildBody(input: SendVideoInput): SendVideoRequest {
  const video = input.caption === undefined ? { ...input.video } : { ...input.video, caption: input.caption };
  const body: SendVideoRequest = {
    messaging_object: { messaging_product: "whatsapp", recipient_type: "individual", to: input.to, type: "video", video },
  };
  if (input.extraInfo !== undefined) body.extra_info = input.extraInfo;
  return body;
}

function withoutSecret(text: string, secret: string, limit = 500): string {
  const snippet = text.length > limit ? `${text.slice(0, limit)}…` : text;
  return secret ? snippet.split(secret).join(maskedKey) : snippet;
}

export function createKaleyraClient(options: KaleyraClientOptions): KaleyraClient {
  const baseUrl = resolveBaseUrl(options);
  const { apiKey, sid } = options;
  if (typeof apiKey !== "string" || apiKey.trim() === "") throw new TypeError("createKaleyraClient needs a non-empty apiKey");
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const contract = operation();
  const headers: Record<string, string> = { "api-key": apiKey, accept: "application/json" };
  if (options.userAgent !== undefined) headers["user-agent"] = options.userAgent;

  const raw = createClient<paths>({ baseUrl, headers, pathSerializer, ...transportFor(options.fetch) });

  const prepare = (input: SendVideoInput): { prepared: PreparedRequest; summary: RequestSummary } => {
    const body = buildBody(input);
    const path = pathSerializer(contract.path, { sid, phone_number: input.phoneNumber });
    const summary = { method: contract.method.toUpperCase(), url: baseUrl + path };
    const check = contractSchemas();
    const issues = [
      ...check.issues(contract.pathParameterSchemaPointers.sid!, sid).map((issue) => ({ ...issue, field: "sid" })),
      ...check.issues(contract.pathParameterSchemaPointers.phone_number!, input.phoneNumber).map((issue) => ({ ...issue, field: "phoneNumber" })),
      ...check.issues(contract.requestSchemaPointer, body),
    ];
    if (issues.length > 0) throw new KaleyraValidationError(issues, summary);
    const shownHeaders = { ...headers, "content-type": "application/json", "api-key": maskedKey };
    return { prepared: { ...summary, headers: shownHeaders, body }, summary };
  };

  const sendVideo = async (input: SendVideoInput): Promise<SendVideoResult> => {
    const { prepared, summary } = prepare(input);
    const limit = deadline(timeoutMs, input.signal);

    let response: Response;
    let payload: unknown;
    try {
      const result = await raw.POST("/v2/{sid}/whatsapp/{phone_number}/messages", {
        params: { path: { sid, phone_number: input.phoneNumber } },
        body: prepared.body,
        parseAs: "text",
        signal: limit.signal,
      });
      response = result.response;
      // Successes come as text (parseAs); openapi-fetch parses error bodies itself when it can.
      payload = result.data ?? result.error;
    } catch (cause) {
      if (limit.timedOut()) {
        throw new KaleyraTransportError({ reason: "timeout", message: `No answer within ${timeoutMs} ms; the message may or may not have been queued`, request: summary, cause });
      }
      if (input.signal?.aborted) {
        throw new KaleyraTransportError({ reason: "aborted", message: "The send was cancelled; the message may or may not have been queued", request: summary, cause });
      }
      const detail = (cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message;
      throw new KaleyraTransportError({ reason: "network", message: `The request failed before an answer came (${detail})`, request: summary, cause });
    } finally {
      limit.done();
    }
    return interpret(response.status, payload, summary);
  };

  const interpret = (status: number, payload: unknown, request: RequestSummary): SendVideoResult => {
    const text = typeof payload === "string" ? payload : (JSON.stringify(payload) ?? "");
    const invalid = (why: string) =>
      new KaleyraTransportError({ reason: "invalid-response", message: `Answer ${status} is not the vendor's envelope: ${why}`, request, status, bodySnippet: withoutSecret(text, apiKey) });
    let body: unknown = payload;
    if (typeof payload === "string" || payload === undefined) {
      try {
        body = JSON.parse(text);
      } catch {
        throw invalid("not JSON");
      }
    }
    const check = contractSchemas();
    const pointer = contract.responseSchemaPointers[status];
    if (status >= 200 && status < 300) {
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
