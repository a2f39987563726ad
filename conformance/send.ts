// Sends one case exactly as planned (the path's `+` literal, the headers and body byte for byte),
// through the kit's shared HTTP edge: one deadline, a bounded read, the key masked in all it reads.
import { operation } from "../src/contract/operation.ts";
import { exchange, urlAt } from "../src/http/exchange.ts";
import { maskDeep, type Masker } from "../src/http/secrets.ts";
import { wrongKey, type CaseRequest } from "./plan.ts";
import { parseJson } from "../src/http/json.ts";
import { shellQuote, shellWord } from "../src/http/printable.ts";

export interface Observed {
  /** Undefined when no answer came (refused, reset, timed out). */
  status: number | undefined;
  contentType: string | undefined;
  /** Lower-case names, values masked; empty when no answer came. */
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
  transportError: string | undefined;
  milliseconds: number;
}

/** Path parameters are percent-encoded except `+`, as the vendor writes the number. */
export function pathFor(request: CaseRequest): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%2B/gi, "+");
  return operation().path.replace("{sid}", encode(request.sid)).replace("{phone_number}", encode(request.phoneNumber));
}

export function headersFor(request: CaseRequest, apiKey: string): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (request.contentType !== undefined) headers["content-type"] = request.contentType;
  if (request.key === "account") headers["api-key"] = apiKey;
  if (request.key === "wrong") headers["api-key"] = wrongKey;
  if (request.prefer !== undefined) headers.prefer = request.prefer;
  return headers;
}

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
    return { status: undefined, contentType: undefined, headers: {}, text: "", json: undefined, transportError: `${result.error.reason}: ${result.error.message}`, milliseconds: result.milliseconds };
  }
  const { status, headers, text } = result.answer;
  // Masked again once parsed: a key escaped inside a JSON string is only whole once decoded.
  const parsed = parseJson(text);
  const json = parsed.ok ? maskDeep(parsed.value, limits.mask) : undefined;
  return { status, contentType: headers["content-type"], headers, text, json, transportError: undefined, milliseconds: result.milliseconds };
}

/** A ready curl line for the case, the key masked. */
export function curlFor(target: string, request: CaseRequest): string {
  const url = urlAt(target, pathFor(request));
  const headers = Object.entries(headersFor(request, "$KALEYRA_API_KEY")).map(([name, value]) =>
    name === "api-key" && request.key === "account" ? `-H "api-key: $KALEYRA_API_KEY"` : `-H ${shellQuote(`${name}: ${value}`)}`,
  );
  const data = request.body === "" && request.method !== undefined ? "" : ` --data-raw ${shellQuote(request.body)}`;
  // Every part quoted: a recording's method or path is anyone's text, and the line is made to be pasted.
  return `curl -X ${shellWord(request.method ?? operation().method.toUpperCase())} ${shellQuote(url)} ${headers.join(" ")}${data}`;
}
