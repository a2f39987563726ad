// The kit's fetch for typed clients (openapi-fetch): redirects refused, answers read with a limit
// counted after decompression, the whole answer read inside one deadline, and every secret
// masked out of the body before anything parses it. Unless the caller injects a fetch, requests
// go out through the kit's own exchange (node:http, kept-alive connections): it is the same edge
// the conformance suite uses, and it costs a third of what undici's fetch does per request.
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import {
  createMasker,
  defaultMaxResponseBytes,
  describeLocation,
  HttpEdgeError,
  isRedirect,
  maxTimerMs,
  readBounded,
  redirectRefused,
  UnreadableAnswerError,
} from "./edge.ts";
import { exchange } from "./exchange.ts";
import { isSuccess } from "./status.ts";
import { maxJsonDepth, nestsDeeperThan } from "../json/read.ts";
import type { Masker } from "./secrets.ts";

export type FetchLike = (request: Request) => Promise<Response>;

type PlainRequestInit = Pick<RequestInit, "method" | "headers" | "body" | "signal" | "redirect"> & {
  /** The one deadline of the whole exchange; openapi-fetch passes unknown init keys through. */
  timeoutMs?: number;
};

/**
 * Just enough of Request for openapi-fetch: it reads `method`, and copies init keys onto it.
 * undici's Request costs about as much as a send on loopback, so the kit's own fetch takes this.
 */
class PlainRequest {
  readonly url: string;
  readonly method: string;
  readonly init: PlainRequestInit;

  constructor(url: string, init: PlainRequestInit = {}) {
    this.url = url;
    this.method = (init.method ?? "GET").toUpperCase();
    this.init = init;
  }
}

/** The answer, read whole within its limit: what openapi-fetch reads of a Response. */
class ReadResponse {
  readonly body = null;
  private headerValues: Headers | Record<string, string>;
  constructor(
    readonly status: number,
    readonly statusText: string,
    headers: Headers | Record<string, string>,
    readonly url: string,
    private readonly textValue: string,
  ) {
    this.headerValues = headers;
  }
  /** A Headers object only when someone asks for one. */
  get headers(): Headers {
    if (!(this.headerValues instanceof Headers)) this.headerValues = new Headers(this.headerValues);
    return this.headerValues;
  }
  get ok() {
    return isSuccess(this.status);
  }
  async text() {
    return this.textValue;
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.textValue);
  }
}

export interface GuardOptions {
  /** The most an answer may be, after decompression. */
  maxResponseBytes?: number;
  /** The secrets to mask out of answers (the api-key). */
  secrets?: readonly string[];
  /** The deadline of a call that names none (calls through the raw openapi-fetch client). */
  timeoutMs?: number;
}

const decoder = new TextDecoder();

/** Reads an answer under the kit's rules, or throws HttpEdgeError. */
export async function settle(response: Response, requestUrl: string, limit: number, mask: Masker): Promise<ReadResponse> {
  const cancel = () => {
    response.body?.cancel().catch(() => {});
  };
  if (response.type === "opaqueredirect" || isRedirect(response.status)) {
    cancel();
    throw redirectRefused(response.status, describeLocation(response.headers.get("location"), requestUrl, mask));
  }
  // Counted as it is decompressed and cut at the limit, whatever Content-Length claims: an
  // injected fetch may hand back any Response.
  const text = response.body ? decoder.decode(await readBounded(response.body as unknown as AsyncIterable<Uint8Array>, limit, cancel)) : "";
  return new ReadResponse(response.status, response.statusText, response.headers, response.url || requestUrl, mask(checkDepth(text, response.status)));
}

/** The door for nesting: openapi-fetch parses answers itself, so a deep one is refused before it can. */
function checkDepth(text: string, status: number): string {
  if (nestsDeeperThan(text, maxJsonDepth)) throw new UnreadableAnswerError(`Answer ${status} nests deeper than ${maxJsonDepth} levels`, status);
  return text;
}

export interface Transport {
  Request?: typeof Request;
  fetch: FetchLike;
}

/** openapi-fetch hands the merged headers over as a Headers object. */
function plainHeaders(headers: PlainRequestInit["headers"]): Record<string, string> {
  const plain: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => {
    plain[name] = value;
  });
  return plain;
}

/**
 * The Request class and fetch to give openapi-fetch. An injected fetch gets a real Request (with
 * `redirect: "manual"` from the call's init) and its answer is settled the same way.
 */
export function guardedTransport(injected: FetchLike | undefined, options: GuardOptions = {}): Transport {
  const limit = options.maxResponseBytes ?? defaultMaxResponseBytes;
  const mask = createMasker(options.secrets ?? []);
  if (injected) {
    return {
      fetch: (async (request: Request) => settle(await injected(request), request.url, limit, mask)) as unknown as FetchLike,
    };
  }
  // Connections kept alive per client, as fetch pools them per origin.
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const send = async (request: PlainRequest) => {
    const { init } = request;
    const url = request.url;
    // openapi-fetch serializes a body to a string; a call without one (a raw GET) has none.
    const body = typeof init.body === "string" ? Buffer.from(init.body) : undefined;
    const headers = plainHeaders(init.headers);
    if (body) headers["content-length"] = String(body.length);
    const result = await exchange(
      { url, method: request.method, headers, ...(body ? { body } : {}) },
      {
        timeoutMs: init.timeoutMs ?? options.timeoutMs ?? maxTimerMs,
        maxResponseBytes: limit,
        mask,
        ...(init.signal ? { signal: init.signal } : {}),
        agent: url.startsWith("https:") ? agents.https : agents.http,
      },
    );
    if (!result.ok) throw result.error;
    const { status, headers: answerHeaders, text } = result.answer;
    if (isRedirect(status)) throw redirectRefused(status, describeLocation(answerHeaders.location, url, mask));
    return new ReadResponse(status, "", answerHeaders, url, checkDepth(text, status));
  };
  return { Request: PlainRequest as unknown as typeof Request, fetch: send as unknown as FetchLike };
}

export { HttpEdgeError };

/** A signal that aborts after `ms` or when `outer` does; `done()` clears the timer. */
export function deadline(ms: number, outer: AbortSignal | undefined): { signal: AbortSignal; timedOut: () => boolean; done: () => void } {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`no answer within ${ms} ms`, "TimeoutError"));
  }, ms);
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener("abort", onOuterAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    done: () => {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuterAbort);
    },
  };
}
