// Writing answers. Vendor-shaped bodies come from the contract's named examples.
import type { ServerResponse } from "node:http";
import { example } from "../contract/operation.ts";
import { freshMessageId } from "./message-id.ts";
import type { Reply } from "./model.ts";

export interface Envelope {
  code: string;
  message: string;
  data: unknown;
  error: Record<string, string>;
}

function isEnvelope(body: unknown): body is Envelope {
  return typeof body === "object" && body !== null && "code" in body && "error" in body;
}

export function codeOf(reply: Reply): string | undefined {
  // Answers serialized once start with their code; reading it back must stay cheap.
  if (reply.raw !== undefined) return /^\{"code":"([^"]*)"/.exec(reply.raw)?.[1];
  return isEnvelope(reply.body) && typeof reply.body.code === "string" ? reply.body.code : undefined;
}

const json = { "content-type": "application/json" };

/** The contract's named example as a reply. */
export function exampleReply(name: string): Reply {
  const { status, value } = example(name);
  return { status, headers: json, body: structuredClone(value) };
}

/** A WA400 about the request itself, with the contract's body and `error` saying what is wrong. */
export function badRequestReply(part: string, problem: string): Reply {
  const reply = exampleReply("incorrect-payload");
  (reply.body as Envelope).error = { [part]: problem };
  return reply;
}

const acceptedExampleId = (() => {
  const value = example("accepted").value as { data: { message_id: string } };
  return value.data.message_id;
})();

/** Gives an accepted answer its own message_id; the engine would repeat the example's. */
export function withFreshMessageId(body: unknown): unknown {
  if (!isEnvelope(body) || typeof body.data !== "object" || body.data === null || !("message_id" in body.data)) {
    return body;
  }
  return { ...body, data: { ...body.data, message_id: freshMessageId(acceptedExampleId) } };
}

export function send(response: ServerResponse, reply: Reply): void {
  const payload = reply.raw ?? (reply.body === undefined ? "" : JSON.stringify(reply.body));
  const headers: Record<string, string | number> = {};
  // Prism spells some header names in mixed case; HTTP names are case-insensitive.
  for (const [name, value] of Object.entries(reply.headers)) headers[name.toLowerCase()] = value;
  headers["content-type"] ??= "application/json";
  headers["content-length"] = Buffer.byteLength(payload);
  response.writeHead(reply.status, headers);
  response.end(payload);
}

export interface Problem {
  status: number;
  type?: string;
  title: string;
  detail: string;
  headers?: Record<string, string>;
}

export function problemReply({ status, type = "about:blank", title, detail, headers = {} }: Problem): Reply {
  return {
    status,
    headers: { ...headers, "content-type": "application/problem+json" },
    body: { type, title, status, detail },
  };
}
