// The kit's fetch for typed clients (openapi-fetch): redirects refused, answers read with a limit
// counted after decompression, the whole answer read inside the caller's deadline, and every
// secret masked out of the body before anything parses it.
import { createMasker, defaultMaxResponseBytes, describeLocation, isRedirect, readBounded, redirectRefused, tooLarge } from "./edge.ts";
import type { Masker } from "./secrets.ts";

export type FetchLike = (request: Request) => Promise<Response>;

type PlainRequestInit = Pick<RequestInit, "method" | "headers" | "body" | "signal" | "redirect">;

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
  readonly bodyUsed = true;
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: Headers,
    readonly url: string,
    private readonly textValue: string,
  ) {}
  get ok() {
    return this.status >= 200 && this.status < 300;
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
  const declared = response.headers.get("content-length");
  const encoded = (response.headers.get("content-encoding") ?? "identity").toLowerCase() !== "identity";
  let text: string;
  if (declared !== null && !encoded && /^\d+$/.test(declared)) {
    // The parser stops at the declared length, so the declared length bounds the read.
    if (Number(declared) > limit) {
      cancel();
      throw tooLarge(limit);
    }
    text = await response.text();
  } else {
    // Chunked or compressed: counted as it is decompressed, cut at the limit.
    text = response.body ? decoder.decode(await readBounded(response.body as unknown as AsyncIterable<Uint8Array>, limit, cancel)) : "";
  }
  return new ReadResponse(response.status, response.statusText, response.headers, response.url || requestUrl, mask(text));
}

export interface Transport {
  Request?: typeof Request;
  fetch: FetchLike;
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
  const send = async (request: PlainRequest) => {
    const response = await globalThis.fetch(request.url, { ...request.init, redirect: "manual" } as RequestInit);
    return settle(response, request.url, limit, mask);
  };
  return { Request: PlainRequest as unknown as typeof Request, fetch: send as unknown as FetchLike };
}

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
