// One HTTP exchange, sent exactly as given (headers and bytes as written, the path's `+` literal):
// for the conformance suite, and for whatever else of the kit must control the bytes on the wire.
// Under the kit's rules: redirects are answers, never followed; one deadline covers connecting,
// the head and the body; the body is read with a limit (after decompression, if a server
// compresses unasked); every secret is masked out of what comes back.
import { request as httpRequest, type Agent, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { Readable, Transform } from "node:stream";
import { defaultMaxResponseBytes, HttpEdgeError, readBounded } from "./edge.ts";
import type { Masker } from "./secrets.ts";

export interface ExchangeRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface ExchangeOptions {
  /** One limit for the whole exchange: connect, head and body. */
  timeoutMs: number;
  maxResponseBytes?: number;
  /** Applied to everything read back: status text, header values, body. */
  mask: Masker;
  /** Aborts the exchange (a run's deadline, a signal from the user). */
  signal?: AbortSignal;
  /** Connections to reuse; Node's global agent otherwise. */
  agent?: Agent;
  /**
   * Also keep the answer unmasked, for a proxy to hand back to the caller that sent the secret;
   * never for anything that is logged or stored.
   */
  keepRaw?: boolean;
}

export interface Answer {
  status: number;
  /** Lower-case names; values masked, repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body as UTF-8 text, masked. */
  text: string;
  /** With keepRaw: the body's bytes (decompressed) and headers as they came. */
  raw?: { body: Buffer; headers: IncomingHttpHeaders };
}

export type ExchangeResult = { ok: true; answer: Answer; milliseconds: number } | { ok: false; error: HttpEdgeError; milliseconds: number };

const decoders = new Map<string, () => Transform>([
  ["gzip", createGunzip],
  ["x-gzip", createGunzip],
  ["deflate", createInflate],
  ["br", createBrotliDecompress],
]);

/**
 * The content codings `exchange` decodes (lower-case): an answer in one of them comes back plain.
 * Any other (zstd, codings applied twice) comes back as it was sent.
 */
export const decodedCodings: readonly string[] = [...decoders.keys()];

/** An answer's Content-Encoding as `exchange` reads it: trimmed, lower-case; "" when there is none. */
export const contentCoding = (headers: IncomingHttpHeaders): string => (headers["content-encoding"] ?? "").trim().toLowerCase();

/**
 * Whether an answer has content at all (RFC 9110 §6.4.1): never to HEAD, never with 1xx, 204 or
 * 304. A Content-Encoding on one without names the coding a GET's content would have, and
 * there is nothing to decode.
 */
export const hasContent = (method: string, status: number): boolean => method.toUpperCase() !== "HEAD" && status >= 200 && status !== 204 && status !== 304;

function decoded(response: IncomingMessage, method: string): Readable {
  const decoder = hasContent(method, response.statusCode ?? 0) ? decoders.get(contentCoding(response.headers)) : undefined;
  return decoder ? response.pipe(decoder()) : response;
}

/** `path` on a base URL given by a user, whatever slashes the base ends with. */
export const urlAt = (base: string, path: string): string => base.replace(/\/+$/, "") + path;

export function exchange(request: ExchangeRequest, options: ExchangeOptions): Promise<ExchangeResult> {
  const started = performance.now();
  const limit = options.maxResponseBytes ?? defaultMaxResponseBytes;
  const url = new URL(request.url);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: { ok: true; answer: Answer } | { ok: false; error: HttpEdgeError }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve({ ...result, milliseconds: performance.now() - started } as ExchangeResult);
    };
    const fail = (error: HttpEdgeError) => {
      finish({ ok: false, error });
      call.destroy();
    };
    const timer = setTimeout(() => fail(new HttpEdgeError("timeout", `no complete answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    const onAbort = () => fail(new HttpEdgeError("aborted", "stopped before an answer came"));
    const call = send(url, { method: request.method, headers: request.headers, ...(options.agent ? { agent: options.agent } : {}) }, (response) => {
      const body = decoded(response, request.method);
      const cancel = () => {
        body.destroy();
        response.destroy();
      };
      readBounded(body, limit, cancel).then(
        (bytes) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headers[name] = options.mask(Array.isArray(value) ? value.join(", ") : value);
          }
          const answer: Answer = { status: response.statusCode ?? 0, headers, text: options.mask(bytes.toString("utf8")) };
          if (options.keepRaw) answer.raw = { body: bytes, headers: response.headers };
          finish({ ok: true, answer });
        },
        // The status line did come: a body past the limit or broken off still says what was answered.
        (error: unknown) =>
          fail(
            error instanceof HttpEdgeError
              ? new HttpEdgeError(error.reason, error.message, { status: response.statusCode ?? 0 })
              : new HttpEdgeError("network", `the answer broke off: ${options.mask(String((error as Error).message ?? error)).slice(0, 200)}`, {
                  status: response.statusCode ?? 0,
                }),
          ),
      );
    });
    call.on("error", (error: NodeJS.ErrnoException) => {
      if (!settled) finish({ ok: false, error: new HttpEdgeError("network", error.code ?? options.mask(error.message).slice(0, 200)) });
    });
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener("abort", onAbort, { once: true });
    call.end(request.body);
  });
}
