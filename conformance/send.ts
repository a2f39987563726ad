// Sends one case exactly as planned: the path's `+` literal, the headers and body byte for byte.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { operation } from "../src/contract/operation.ts";
import { wrongKey, type CaseRequest } from "./plan.ts";

export interface Observed {
  /** Undefined when no answer came (refused, reset, timed out). */
  status: number | undefined;
  contentType: string | undefined;
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

export function sendCase(target: string, request: CaseRequest, apiKey: string, timeoutMs: number): Promise<Observed> {
  const url = new URL(target.replace(/\/+$/, "") + pathFor(request));
  const body = Buffer.from(request.body, "utf8");
  const started = performance.now();
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const done = (observed: Omit<Observed, "milliseconds">) => resolve({ ...observed, milliseconds: performance.now() - started });
    const call = send(
      url,
      { method: operation().method.toUpperCase(), headers: { ...headersFor(request, apiKey), "content-length": String(body.length) }, timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (error) => done({ status: response.statusCode, contentType: response.headers["content-type"], text: "", json: undefined, transportError: error.message }));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          done({ status: response.statusCode, contentType: response.headers["content-type"], text, json, transportError: undefined });
        });
      },
    );
    call.on("timeout", () => call.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    call.on("error", (error: NodeJS.ErrnoException) => done({ status: undefined, contentType: undefined, text: "", json: undefined, transportError: error.code ?? error.message }));
    call.end(body);
  });
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A ready curl line for the case, the key masked. */
export function curlFor(target: string, request: CaseRequest): string {
  const url = target.replace(/\/+$/, "") + pathFor(request);
  const headers = Object.entries(headersFor(request, "$KALEYRA_API_KEY")).map(([name, value]) =>
    name === "api-key" && request.key === "account" ? `-H "api-key: $KALEYRA_API_KEY"` : `-H ${shellQuote(`${name}: ${value}`)}`,
  );
  return `curl -X POST ${shellQuote(url)} ${headers.join(" ")} --data-raw ${shellQuote(request.body)}`;
}
