// How requests leave the client. openapi-fetch builds a `Request` for every call and hands it to
// `fetch`; undici's Request costs about as much as the send itself on loopback. When the caller
// has not injected a fetch, the client gives openapi-fetch (through its `Request` and `fetch`
// options) a plain holder of the URL and init, and sends that with fetch(url, init).
export type FetchLike = (request: Request) => Promise<Response>;

type PlainRequestInit = Pick<RequestInit, "method" | "headers" | "body" | "signal" | "redirect">;

/** Just enough of Request for openapi-fetch: it reads `method`, and copies init keys onto it. */
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

const sendPlain = ((request: PlainRequest) => globalThis.fetch(request.url, request.init as RequestInit)) as unknown as FetchLike;

export interface Transport {
  Request?: typeof Request;
  fetch: FetchLike;
}

export function transportFor(injected: FetchLike | undefined): Transport {
  return injected ? { fetch: injected } : { Request: PlainRequest as unknown as typeof Request, fetch: sendPlain };
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
