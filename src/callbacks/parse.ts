// Reading a status callback as a receiver: the body checked against the contract's webhook
// schema, so the receiver's code gets a typed value or a KaleyraValidationError naming the field.
import { contractSchemas } from "../contract/schemas.ts";
import { webhook, type StatusCallback } from "../contract/webhook.ts";
import { KaleyraValidationError } from "../client/errors.ts";
import { parseJson } from "../json/read.ts";

const request = { method: "POST", url: "(status callback)" };

/** The callback, typed; `body` is the parsed JSON or its text. Throws KaleyraValidationError. */
export function parseStatusCallback(body: unknown): StatusCallback {
  let value = body;
  if (typeof body === "string" || body instanceof Uint8Array) {
    const text = typeof body === "string" ? body : new TextDecoder().decode(body);
    const parsed = parseJson(text);
    if (!parsed.ok) {
      const message = parsed.kind === "malformed" ? "is not JSON" : `is JSON that ${parsed.problem}`;
      throw new KaleyraValidationError([{ field: "(body)", rule: "json", message }], request, "The status callback cannot be read");
    }
    value = parsed.value;
  }
  const issues = contractSchemas().issues(webhook().schemaPointer, value);
  if (issues.length > 0) throw new KaleyraValidationError(issues, request, "The status callback breaks the contract");
  return value as StatusCallback;
}
