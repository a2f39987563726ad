// A case's request as it goes on the wire: its path (the `+` literal), its headers, and the curl
// line that repeats it. Conformance sends by these; the proxy and the replay show recorded
// exchanges by the same curl line.
import { operation } from "../contract/operation.ts";
import { urlAt } from "../http/exchange.ts";
import { shellQuote, shellWord } from "../http/printable.ts";
import type { CaseRequest } from "./model.ts";

/** The api-key a "wrong" case sends: of the right form, and no account's. */
export const wrongKey = "conformance-wrong-key-0000000000";

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
