// Sends one case exactly as planned (the path's `+` literal, the headers and body byte for byte),
// through the kit's shared HTTP edge: one deadline, a bounded read, the key masked in all it reads.
import { operation } from "../src/contract/operation.ts";
import { exchange, urlAt } from "../src/http/exchange.ts";
import { maskDeep, type Masker } from "../src/http/secrets.ts";
import { type CaseRequest, type Observed, unanswered } from "../src/judge/model.ts";
import { headersFor, pathFor } from "../src/judge/wire.ts";
import { parseJson } from "../src/json/read.ts";

export interface SendLimits {
  /** One deadline for the whole exchange: connect, head and body. */
  timeoutMs: number;
  maxResponseBytes: number;
  /** Masks the run's secrets out of everything read back. */
  mask: Masker;
  /** Stops the exchange (the run's deadline, SIGINT). */
  signal?: AbortSignal;
}

export async function sendCase(target: string, request: CaseRequest, apiKey: string, limits: SendLimits): Promise<Observed> {
  const body = Buffer.from(request.body, "utf8");
  const result = await exchange(
    {
      url: urlAt(target, pathFor(request)),
      method: request.method ?? operation().method.toUpperCase(),
      headers: { ...headersFor(request, apiKey), "content-length": String(body.length) },
      body,
    },
    limits,
  );
  if (!result.ok) {
    return unanswered(`${result.error.reason}: ${result.error.message}`, result.milliseconds);
  }
  const { status, headers, text } = result.answer;
  // Masked again once parsed: a key escaped inside a JSON string is only whole once decoded.
  const parsed = parseJson(text);
  const json = parsed.ok ? maskDeep(parsed.value, limits.mask) : undefined;
  return { status, contentType: headers["content-type"], headers, text, json, transportError: undefined, milliseconds: result.milliseconds };
}
