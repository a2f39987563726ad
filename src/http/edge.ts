// The ways an exchange with another server can fail at the edge, before its answer means
// anything: every part of the kit that speaks HTTP to the outside reports these alike.
import { createMasker, maskedSecret, type Masker } from "./secrets.ts";

export type EdgeReason = "redirect" | "too-large" | "timeout" | "aborted" | "network";

export class HttpEdgeError extends Error {
  override readonly name = "HttpEdgeError";
  readonly reason: EdgeReason;
  /** For a redirect: where it pointed, credentials stripped and secrets masked. Never requested. */
  readonly location: string | undefined;
  readonly status: number | undefined;

  constructor(reason: EdgeReason, message: string, fields: { location?: string; status?: number } = {}) {
    super(message);
    this.reason = reason;
    this.location = fields.location;
    this.status = fields.status;
  }
}

/** An answer that came whole but that no reader of the kit takes (JSON nested past the bound). */
export class UnreadableAnswerError extends Error {
  override readonly name = "UnreadableAnswerError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** What a response may be at most, after decompression, unless the caller says otherwise. */
export const defaultMaxResponseBytes = 1024 * 1024;

/** The largest answer limit a caller may set: 1 GiB. */
export const maxResponseBytesLimit = 2 ** 30;

/** The largest delay a Node timer holds; a longer one fires at once. */
export const maxTimerMs = 2 ** 31 - 1;

export const isRedirect = (status: number) => status >= 300 && status < 400 && status !== 304;

/** A redirect's target as it may be shown: resolved, credentials stripped, secrets masked. */
export function describeLocation(location: string | null | undefined, base: string, mask: Masker): string {
  if (!location) return "(no Location)";
  try {
    const url = new URL(location, base);
    if (url.username) url.username = maskedSecret;
    if (url.password) url.password = maskedSecret;
    return mask(url.href).slice(0, 300);
  } catch {
    return mask(location).slice(0, 300);
  }
}

export function redirectRefused(status: number, location: string): HttpEdgeError {
  return new HttpEdgeError("redirect", `The server answered ${status}, redirecting to ${location}. Redirects are never followed: nothing was sent there.`, {
    status,
    location,
  });
}

export function tooLarge(limit: number): HttpEdgeError {
  return new HttpEdgeError("too-large", `The answer is larger than the limit of ${limit} bytes; the rest was discarded.`);
}

/**
 * Reads a body to its end, or until it passes `limit` bytes: then the source is cancelled and
 * the read fails. Both Node streams and web streams are async iterables of byte chunks.
 */
export async function readBounded(source: AsyncIterable<Uint8Array>, limit: number, cancel: () => void): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (size > limit) {
      cancel();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * A copy of a thrown value that is safe to keep as an error's `cause`: name, code and message,
 * with every secret masked, down a short chain of causes. The original may quote a header.
 */
export function safeCause(cause: unknown, mask: Masker, depth = 0): Error | undefined {
  if (cause === undefined || cause === null || depth > 3) return undefined;
  const source = cause as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
  const message = typeof source.message === "string" ? source.message : typeof cause === "string" ? cause : "";
  const copy = new Error(mask(message).slice(0, 500));
  copy.name = typeof source.name === "string" ? source.name : "Error";
  if (typeof source.code === "string") (copy as Error & { code?: string }).code = source.code;
  const inner = safeCause(source.cause, mask, depth + 1);
  if (inner) copy.cause = inner;
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

export { createMasker };
